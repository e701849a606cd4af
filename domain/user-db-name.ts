/** CouchDB's couch_peruser naming: `userdb-` + the hex of the UTF-8 user name. */
export function userDbName(userName: string): string {
  let hex = '';
  for (const byte of new TextEncoder().encode(userName)) hex += byte.toString(16).padStart(2, '0');
  return 'userdb-' + hex;
}
