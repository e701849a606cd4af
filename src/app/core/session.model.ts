import { roleOfCouchRoles } from '../../../domain/roles';

/** What the proxy's `/api/session` returns for a logged-in user. */
export interface Session {
  name: string;
  roles: string[];
  /** The user's CouchDB database, `userdb-<hex of name>`. */
  db: string;
  /** The hub database (`inspections`), for supervisors and admins only. */
  hub?: string;
}

/** Fieldbook admins and CouchDB server admins; the proxy checks again on every admin call. */
export function isAdminSession(session: Session | null | undefined): boolean {
  return !!session && roleOfCouchRoles(session.roles) === 'admin';
}
