import { isNotFound, type CouchAdmin } from './couch-admin';
import type { FieldbookRole } from '../domain/roles';
import { configPaths, deleteServerConfig } from './server-config';
import type { UserDoc } from './user-docs';

/**
 * Server admins live in the `admins` config section, not in `_users` (which refuses the
 * `_admin` role). A name in both logs in with the config's password and the roles `_admin`
 * plus the `_users` roles, on CouchDB and PouchDB Server alike.
 */

/**
 * Makes a login a server admin with the password its stored `_users` doc holds: the doc's own
 * hash is the entry, on every node. No password is needed, so whoever reads the login can write
 * its entry, and the server hashes nothing in the background, which could land after a later removal.
 */
export async function setServerAdminOf(couch: CouchAdmin, login: UserDoc): Promise<void> {
  const entry = serverAdminEntry(login);
  for (const path of await configPaths(couch, 'admins', login.name)) await couch.request({ method: 'PUT', path, body: entry });
}

/**
 * A stored login's password hash in the `admins` section's format, which both servers take as
 * hashed: CouchDB hashes `_users` passwords and admin entries alike (pbkdf2 of the password with
 * the salt, named PRF, hex key), PouchDB Server too (SHA-1, no PRF named).
 */
export function serverAdminEntry({ name, password_scheme, pbkdf2_prf, derived_key, salt, iterations }: UserDoc): string {
  if (password_scheme !== 'pbkdf2' || typeof derived_key !== 'string' || typeof salt !== 'string' || typeof iterations !== 'number')
    throw new Error(`the login of "${name}" holds no pbkdf2 password hash to make its server admin entry of`);
  return `-pbkdf2${typeof pbkdf2_prf === 'string' ? `:${pbkdf2_prf}` : ''}-${derived_key},${salt},${iterations}`;
}

export async function removeServerAdmin(couch: CouchAdmin, name: string): Promise<void> {
  await deleteServerConfig(couch, 'admins', name);
}

/** The server admin a client acts as (from its URL): the account Fieldbook must never change. */
export function actingAdminName(couch: CouchAdmin): string {
  return decodeURIComponent(new URL(couch.config.url).username);
}

/** Whether `name` is a server admin in the server's configuration (whatever `_users` says). */
export async function isServerAdmin(couch: CouchAdmin, name: string): Promise<boolean> {
  const [path] = await configPaths(couch, 'admins', name);
  try {
    await couch.request({ path });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/**
 * A server admin Fieldbook does not manage: the one the client acts as, or one of the
 * configuration's without a Fieldbook role (`role`: what `_users` says of the name). The user
 * CLI and the admin API both refuse to change it.
 */
export async function isOperatorAdmin(couch: CouchAdmin, name: string, role: FieldbookRole | null): Promise<boolean> {
  return name === actingAdminName(couch) || (!role && (await isServerAdmin(couch, name)));
}
