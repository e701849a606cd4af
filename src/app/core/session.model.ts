/** What the proxy's `/api/session` returns for a logged-in user. */
export interface Session {
  name: string;
  roles: string[];
  /** The user's CouchDB database, `userdb-<hex of name>`. */
  db: string;
  /** The hub database (`inspections`), for supervisors and admins only. */
  hub?: string;
}
