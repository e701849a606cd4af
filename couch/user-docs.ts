import type { CouchAdmin } from './couch-admin';
import { isNotFound } from './couch-admin';
import { roleOfCouchRoles, type FieldbookRole } from '../domain/roles';

/*
 * Reading users, apart from changing them (users.ts): changing pulls in provisioning and with
 * it the design documents and the TypeScript compiler, which the proxy, reading only, does
 * not need at start-up.
 */

export interface UserDoc {
  _id: string;
  _rev?: string;
  name: string;
  type: 'user';
  roles: string[];
  password?: string;
  /** The Fieldbook role, kept while `roles` is empty because the user is disabled. */
  fieldbook_role?: FieldbookRole;
  /** CouchDB has no disabled flag: a disabled user has no roles and a random password. */
  fieldbook_disabled?: boolean;
  [key: string]: unknown;
}

export interface FieldbookUser {
  name: string;
  role: FieldbookRole | null;
  disabled: boolean;
}

export const userDocId = (name: string) => `org.couchdb.user:${name}`;

export async function getUser(couch: CouchAdmin, name: string): Promise<UserDoc | null> {
  try {
    return (await couch.use<UserDoc>('_users').get(userDocId(name))) as UserDoc;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * A login as Fieldbook sees it. The role is read from `roles`, which only server admins write:
 * a user may write any other field of their own `_users` document (CouchDB guards `roles` and
 * `name` only), and `"fieldbook_role": "admin"` written by an inspector made them admin.
 * `fieldbook_role` speaks only for a disabled user, whose `roles` are empty.
 */
export function fieldbookUserOf(doc: UserDoc): FieldbookUser {
  const roles = doc.roles ?? [];
  const disabled = doc.fieldbook_disabled === true && roles.length === 0;
  const role = roles.length ? roleOfCouchRoles(roles) : disabled ? (doc.fieldbook_role ?? null) : null;
  return { name: doc.name, role, disabled };
}

export async function listUsers(couch: CouchAdmin): Promise<FieldbookUser[]> {
  const result = await couch
    .use<UserDoc>('_users')
    .list({ include_docs: true, startkey: 'org.couchdb.user:', endkey: 'org.couchdb.user:\ufff0' });
  return result.rows.map((row) => fieldbookUserOf(row.doc!));
}
