import type { CouchAdmin } from './couch-admin';
import { ensureDatabase, ensureDesignDoc, ensureSecurity } from './database-setup';
import { partnerDbName } from '../domain/db-names';
import { partnerNameProblem } from '../domain/user-name';
import { readOnlyDesignDoc } from './design-docs';
import { membersOnly } from './security';

export function assertPartnerName(name: string): void {
  const problem = partnerNameProblem(name);
  if (problem) throw new Error(problem);
}

/** Readable by the partner alone; only the replication job (as server admin) writes to it. */
export async function provisionPartnerDb(couch: CouchAdmin, partner: string): Promise<void> {
  const dbName = partnerDbName(partner);
  await ensureDatabase(couch, dbName);
  await ensureSecurity(couch, dbName, membersOnly([partner]));
  await ensureDesignDoc(couch, dbName, readOnlyDesignDoc());
}
