import { checklistItem, defect, inspection } from '../../../test/fixtures/documents';
import { Database } from '../core/pouchdb';

/** An approved inspection last changed at `updatedAt`, with a defect and an audit entry of each, written into `db` as a pull would. */
export async function seedApproved(db: Database, title: string, updatedAt: string, fields: Record<string, unknown> = {}) {
  const doc = inspection('ana', { title, status: 'approved', updatedAt, checklist: [checklistItem('c1', 'pass')], ...fields });
  const found = defect('ana', doc._id, { inspectionStatus: 'approved', updatedAt });
  const audits = [doc._id, found._id].map((docId) => ({ _id: `audit:${docId}:${updatedAt}:device-test:ab12`, type: 'audit', docId }));
  await db.bulkDocs([doc, found, ...audits]);
  return { doc: { ...doc, _rev: (await db.get(doc._id))._rev }, defect: { ...found, _rev: (await db.get(found._id))._rev } };
}

/** Ids in `db` that are not design documents. */
export async function localIds(db: Database): Promise<string[]> {
  return (await db.allDocs()).rows.map((row) => row.id).filter((id) => !id.startsWith('_design/'));
}

/**
 * The next revision of `doc` (which carries its current `_rev`) as the server made it, written as
 * replication writes it; `beforeWrite` hears its revision first (to note it as pulled before any
 * listener of the changes feed can see it).
 */
export async function pullRevision(
  db: Database,
  doc: { _id: string; _rev: string },
  fields: Record<string, unknown>,
  beforeWrite: (rev: string) => void = () => undefined,
): Promise<string> {
  const [generation, parent] = doc._rev.split('-');
  const hash = crypto.randomUUID().replace(/-/g, '');
  const rev = `${Number(generation) + 1}-${hash}`;
  const revisions = { start: Number(generation) + 1, ids: [hash, parent] };
  beforeWrite(rev);
  await db.bulkDocs([{ ...doc, ...fields, _rev: rev, _revisions: revisions }], { new_edits: false });
  return rev;
}
