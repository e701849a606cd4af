import type { CouchAdmin } from './couch-admin';
import { basicAuthorization, splitCredentials } from './couch-admin';

/**
 * CouchDB checks logins against a cache of `_users` that follows the database's changes feed,
 * a moment behind a write (PouchDB Server reads the document each time): until it catches up,
 * the old password and roles still log in. Resolves once `password` logs `name` in, so when
 * the user tool returns a disabled user is locked out and a changed password the only one.
 * On a cluster this waits for the node the tool talks to; each node follows the feed itself.
 */
export async function untilLoginWorks(couch: CouchAdmin, name: string, password: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await logsIn(couch, name, password)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`CouchDB still refuses the new password of "${name}" after 5 s: check its _users database`);
}

/**
 * Whether `password` logs `name` in now. A 403 is no either: CouchDB 3.4 refuses a name from
 * this host whatever the password after repeated failures (`[chttpd_auth_lockout]`).
 */
async function logsIn(couch: CouchAdmin, name: string, password: string): Promise<boolean> {
  const { url } = splitCredentials(couch.config.url);
  const response = await fetch(`${url}/_session`, { headers: { authorization: basicAuthorization(name, password) } });
  await response.body?.cancel();
  if (response.ok) return true;
  if (response.status === 401 || response.status === 403) return false;
  throw new Error(`CouchDB answered ${response.status} checking the password of "${name}"`);
}
