import type { CouchAdmin } from './couch-admin';
import { ensureDatabase, ensureFieldbookDesign, ensureSecurity } from './database-setup';
import { couchRolesFor, FIELDBOOK_ROLES, worksInHub } from './roles';
import { membersOnly } from './security';

/**
 * The hub: every user database is replicated into it (fan-in), supervisors assign and
 * review in it, and assignments, decisions and partner copies are replicated out of it.
 */
export const HUB_DB = 'inspections';

/** Supervisors and admins read and write the hub; its design doc holds the same rules as user databases. */
export async function ensureHub(couch: CouchAdmin): Promise<void> {
  const roles = FIELDBOOK_ROLES.filter(worksInHub).flatMap(couchRolesFor);
  await ensureDatabase(couch, HUB_DB);
  await ensureSecurity(couch, HUB_DB, membersOnly([], [...roles, '_admin']));
  await ensureFieldbookDesign(couch, HUB_DB);
}
