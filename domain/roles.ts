/**
 * Fieldbook's roles and what each means in CouchDB: the one place that maps them.
 *
 * - inspector: a personal database (`userdb-<hex>`), synced to their tablet.
 * - supervisor: a personal database and the hub (`inspections`), which they review and assign in.
 * - admin: as a supervisor, and a CouchDB server admin (Fauxton, replication jobs).
 * - partner: read access to their partner database (`partner-<name>`) only.
 */
export const FIELDBOOK_ROLES = ['inspector', 'supervisor', 'admin', 'partner'] as const;
export type FieldbookRole = (typeof FIELDBOOK_ROLES)[number];

export function isFieldbookRole(role: unknown): role is FieldbookRole {
  return (FIELDBOOK_ROLES as readonly unknown[]).includes(role);
}

export function assertRole(role: string): asserts role is FieldbookRole {
  if (!isFieldbookRole(role)) throw new Error(`invalid role "${role}": use one of ${FIELDBOOK_ROLES.join(', ')}`);
}

/**
 * The roles stored in the user's `_users` document. CouchDB refuses system roles such as
 * `_admin` there, so an admin is made a server admin separately (server-admins.ts); CouchDB
 * then logs them in with the roles `_admin` plus these.
 */
export function couchRolesFor(role: FieldbookRole): string[] {
  return [role];
}

export function isServerAdminRole(role: FieldbookRole): boolean {
  return role === 'admin';
}

export function hasPersonalDb(role: FieldbookRole): boolean {
  return role !== 'partner';
}

export function worksInHub(role: FieldbookRole): boolean {
  return role === 'supervisor' || role === 'admin';
}

/** The Fieldbook role behind a logged-in user's CouchDB roles; any server admin counts as admin. */
export function roleOfCouchRoles(couchRoles: readonly string[]): FieldbookRole | null {
  if (couchRoles.includes('_admin') || couchRoles.includes('admin')) return 'admin';
  return (['supervisor', 'inspector', 'partner'] as const).find((role) => couchRoles.includes(role)) ?? null;
}
