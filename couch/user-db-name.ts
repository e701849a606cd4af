/** CouchDB's couch_peruser naming: `userdb-` + the hex of the UTF-8 user name. */
export function userDbName(userName: string): string {
  let hex = '';
  for (const byte of new TextEncoder().encode(userName)) hex += byte.toString(16).padStart(2, '0');
  return 'userdb-' + hex;
}

/** The user name a `userdb-<hex>` database belongs to, or null for any other name. */
export function userNameOfDb(dbName: string): string | null {
  const match = /^userdb-((?:[0-9a-f]{2})+)$/.exec(dbName);
  if (!match) return null;
  const bytes = new Uint8Array(match[1].match(/../g)!.map((pair) => parseInt(pair, 16)));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
