import type { CouchAdmin } from '../../couch/couch-admin';
import { configPaths } from '../../couch/server-config';

/**
 * An operator's server admin entry made from a plain password, as an operator writes one in
 * CouchDB's configuration (the app makes its admins' entries from their logins' hashes instead).
 * Resolves once the admin can log in.
 */
export async function setServerAdmin(couch: CouchAdmin, name: string, password: string): Promise<void> {
  const [first, ...others] = await configPaths(couch, 'admins', name);
  await couch.request({ method: 'PUT', path: first, body: password });
  // CouchDB 3.4 hashes the password in the background and ignores the entry until then.
  const hash = await hashedValue(couch, first);
  // Each cluster node hashes with its own salt, yet a session cookie made by one node must
  // pass on the others: give the other nodes the first one's hash (kept as is, being hashed).
  // Never write it back to the first node: written back while the hashing ran, it got hashed twice.
  for (const path of others) await couch.request({ method: 'PUT', path, body: hash });
}

/** CouchDB replaces a plain admin password with its hash shortly after it is set (no event says when: looked at, for up to 30 s on a busy machine). */
async function hashedValue(couch: CouchAdmin, path: string): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const value = (await couch.request({ path })) as string;
    if (value.startsWith('-')) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`CouchDB did not hash the admin password at ${path}`);
}
