import type { CouchAdmin } from './couch-admin';
import { deleteServerConfig, getServerConfig, setServerConfig } from './server-config';

/**
 * Server admins live in the `admins` config section, not in `_users` (which refuses the
 * `_admin` role). A name in both logs in with the config's password and the roles `_admin`
 * plus the `_users` roles, on CouchDB and PouchDB Server alike; the server hashes the password.
 */
export async function setServerAdmin(couch: CouchAdmin, name: string, password: string): Promise<void> {
  await setServerConfig(couch, 'admins', name, password);
  // Each cluster node hashes with its own salt, yet a session cookie made by one node must
  // pass on the others: give every node the first one's hash (kept as is, being hashed).
  await setServerConfig(couch, 'admins', name, await getServerConfig(couch, 'admins', name));
}

export async function removeServerAdmin(couch: CouchAdmin, name: string): Promise<void> {
  await deleteServerConfig(couch, 'admins', name);
}

/** The server admin a client acts as (from its URL): the account Fieldbook must never change. */
export function actingAdminName(couch: CouchAdmin): string {
  return decodeURIComponent(new URL(couch.config.url).username);
}
