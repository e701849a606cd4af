import type { CouchAdmin } from './couch-admin';
import { isNotFound } from './couch-admin';
import { ensureDatabase, ensureFieldbookDesign, ensureSecurity } from './database-setup';
import { adminOnly, membersOnly } from './security';
import { userDbName } from './user-db-name';

export const FIELDBOOK_ROLES = ['inspector', 'supervisor', 'admin', 'partner'] as const;
export type FieldbookRole = (typeof FIELDBOOK_ROLES)[number];

interface UserDoc {
  _id: string;
  _rev?: string;
  name: string;
  type: 'user';
  roles: string[];
  password?: string;
  [key: string]: unknown;
}

const USER_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

export function assertUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new Error(`invalid user name "${name}": use 1-64 lowercase letters, digits, "_", "." or "-", starting with a letter`);
  }
}

export function assertRole(role: string): asserts role is FieldbookRole {
  if (!(FIELDBOOK_ROLES as readonly string[]).includes(role)) {
    throw new Error(`invalid role "${role}": use one of ${FIELDBOOK_ROLES.join(', ')}`);
  }
}

const userDocId = (name: string) => `org.couchdb.user:${name}`;

export async function getUser(couch: CouchAdmin, name: string): Promise<UserDoc | null> {
  try {
    return (await couch.use<UserDoc>('_users').get(userDocId(name))) as UserDoc;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

export async function listUsers(couch: CouchAdmin): Promise<{ name: string; roles: string[] }[]> {
  const result = await couch.use<UserDoc>('_users').list({ include_docs: true, startkey: 'org.couchdb.user:', endkey: 'org.couchdb.user:\ufff0' });
  return result.rows.map((row) => ({ name: row.doc!.name, roles: row.doc!.roles }));
}

/** Creates the user (or updates role and password) and provisions their database. */
export async function addUser(couch: CouchAdmin, name: string, password: string, role: FieldbookRole): Promise<void> {
  assertUserName(name);
  assertRole(role);
  if (!password) throw new Error('a password is required');
  const existing = await getUser(couch, name);
  await couch.use<UserDoc>('_users').insert({
    ...(existing ?? {}),
    _id: userDocId(name),
    name,
    type: 'user',
    roles: [role],
    password,
  });
  await provisionUser(couch, name);
}

/** The user's own database, readable and writable by that user alone. */
export async function provisionUser(couch: CouchAdmin, name: string): Promise<void> {
  const dbName = userDbName(name);
  await ensureDatabase(couch, dbName);
  await ensureSecurity(couch, dbName, membersOnly([name]));
  await ensureFieldbookDesign(couch, dbName);
}

export async function setPassword(couch: CouchAdmin, name: string, password: string): Promise<void> {
  if (!password) throw new Error('a password is required');
  const user = await getUser(couch, name);
  if (!user) throw new Error(`no user "${name}"`);
  await couch.use<UserDoc>('_users').insert({ ...user, password });
}

/** Removes the login and every access to the user's database; the data stays for audit. */
export async function removeUser(couch: CouchAdmin, name: string): Promise<void> {
  const user = await getUser(couch, name);
  if (!user) throw new Error(`no user "${name}"`);
  await couch.use('_users').destroy(user._id, user._rev!);
  await ensureSecurity(couch, userDbName(name), adminOnly());
}
