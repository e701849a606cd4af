/**
 * Names of the shared databases, apart from the code that provisions them: the proxy needs
 * the names only, and provisioning pulls in the design documents and with them the
 * TypeScript compiler (about 0.7 s of proxy start-up for nothing).
 */

/**
 * The hub: every user database is replicated into it (fan-in), supervisors assign and
 * review in it, and assignments, decisions and partner copies are replicated out of it.
 */
export const HUB_DB = 'inspections';

export const PARTNER_DB_PREFIX = 'partner-';

/** The partner's copy of what is shared with them, which their own CouchDB replicates from. */
export function partnerDbName(partner: string): string {
  return PARTNER_DB_PREFIX + partner;
}

/** The partner whose copy `dbName` is, or null for any other database. */
export function partnerOfDbName(dbName: string): string | null {
  return dbName.startsWith(PARTNER_DB_PREFIX) && dbName.length > PARTNER_DB_PREFIX.length ? dbName.slice(PARTNER_DB_PREFIX.length) : null;
}
