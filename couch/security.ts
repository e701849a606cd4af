/** A `_security` object; CouchDB 3 treats a DB without one as admin-only, PouchDB Server as public. */
export interface SecurityObject {
  admins: { names: string[]; roles: string[] };
  members: { names: string[]; roles: string[] };
}

export function membersOnly(names: string[], roles: string[] = []): SecurityObject {
  return { admins: { names: [], roles: [] }, members: { names: [...names].sort(), roles: [...roles].sort() } };
}

/** Server admins only: the members role no user can hold closes the DB on both flavours. */
export function adminOnly(): SecurityObject {
  return { admins: { names: [], roles: [] }, members: { names: [], roles: ['_admin'] } };
}
