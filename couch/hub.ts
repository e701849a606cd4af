import type { CouchAdmin } from './couch-admin';
import { ensureDatabase, ensureFieldbookDesign, ensureSecurity } from './database-setup';
import { HUB_DB } from '../domain/db-names';
import { couchRolesFor, FIELDBOOK_ROLES, worksInHub } from '../domain/roles';
import { membersOnly } from './security';

/** Supervisors and admins read and write the hub; its design doc holds the same rules as user databases. */
export async function ensureHub(couch: CouchAdmin): Promise<void> {
  const roles = FIELDBOOK_ROLES.filter(worksInHub).flatMap(couchRolesFor);
  await ensureDatabase(couch, HUB_DB);
  await ensureSecurity(couch, HUB_DB, membersOnly([], [...roles, '_admin']));
  await ensureFieldbookDesign(couch, HUB_DB);
}
