import type { CouchAdmin } from './couch-admin';
import { ensureDatabase, ensureDesignDoc, ensureSecurity } from './database-setup';
import { partnerDbName } from '../domain/db-names';
import { readOnlyDesignDoc } from './design-docs';
import { membersOnly } from './security';

/** Partner names become database names, which allow fewer characters than user names ("."). */
const PARTNER_NAME = /^[a-z][a-z0-9_-]*$/;

export function assertPartnerName(name: string): void {
  if (!PARTNER_NAME.test(name))
    throw new Error(`invalid partner name "${name}": use lowercase letters, digits, "_" or "-", starting with a letter`);
}

/** Readable by the partner alone; only the replication job (as server admin) writes to it. */
export async function provisionPartnerDb(couch: CouchAdmin, partner: string): Promise<void> {
  const dbName = partnerDbName(partner);
  await ensureDatabase(couch, dbName);
  await ensureSecurity(couch, dbName, membersOnly([partner]));
  await ensureDesignDoc(couch, dbName, readOnlyDesignDoc());
}
