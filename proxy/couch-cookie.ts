/** When CouchDB issued an AuthSession cookie (`base64url("name:HEXSECONDS:hmac")`), in seconds. */
export function couchCookieIssuedAt(cookie: string): number | null {
  const parts = Buffer.from(cookie, 'base64url').toString('latin1').split(':');
  const seconds = parts.length >= 3 ? parseInt(parts[parts.length - 2], 16) : NaN;
  return Number.isFinite(seconds) ? seconds : null;
}
