/** When CouchDB issued an AuthSession cookie (`base64url("name:HEXSECONDS:hmac")`), in seconds. */
export function couchCookieIssuedAt(cookie: string): number | null {
  // User names cannot contain ":", but the binary HMAC may (about one cookie in ten): the time is the second field.
  const [, hex, ...mac] = Buffer.from(cookie, 'base64url').toString('latin1').split(':');
  return mac.length > 0 && /^[0-9a-f]+$/i.test(hex) ? parseInt(hex, 16) : null;
}
