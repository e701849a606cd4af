import { newPhotoDoc } from '../../../domain/photo-doc';
import { checklistItem, defect, inspection } from '../../../test/fixtures/documents';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';

/** An approved inspection last changed at `updatedAt`, with a defect and an audit entry of each, written into `db` as a pull would. */
export async function seedApproved(db: Database, title: string, updatedAt: string, fields: Record<string, unknown> = {}) {
  const doc = inspection('ana', { title, status: 'approved', updatedAt, checklist: [checklistItem('c1', 'pass')], ...fields });
  const found = defect('ana', doc._id, { inspectionStatus: 'approved', updatedAt });
  const audits = [doc._id, found._id].map((docId) => ({ _id: `audit:${docId}:${updatedAt}:device-test:ab12`, type: 'audit', docId }));
  await db.bulkDocs([doc, found, ...audits]);
  return { doc: { ...doc, _rev: (await db.get(doc._id))._rev }, defect: { ...found, _rev: (await db.get(found._id))._rev } };
}

/** A full-size photo of the defect taken on this tablet (the only copy until it is pushed); returns its id. */
export async function takePhoto(db: Database, defectId: string): Promise<string> {
  const fields = { defectId, createdBy: 'ana', createdAt: '2026-01-10T08:00:00.000Z', deviceId: 'device-test' };
  const photo = newPhotoDoc(fields, 'p1', { content_type: 'image/jpeg', data: btoa('only copy') });
  await db.put(photo as PouchDB.Core.PutDocument<object>);
  return photo._id;
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

/**
 * Runs `act` once, right after the push ledger answers the first look at `id` alone (its audit
 * entries aside): the last look before it is purged. Returns whether it ran.
 */
export function atLastLook(ledger: PushLedgerService, id: string, act: () => Promise<unknown>): () => boolean {
  const holdsUnsynced = ledger.holdsUnsynced.bind(ledger);
  let done = false;
  spyOn(ledger, 'holdsUnsynced').and.callFake(async (db: Database, ids: readonly string[]) => {
    const answer = await holdsUnsynced(db, ids);
    const records = ids.filter((other) => !other.startsWith('audit:'));
    if (!done && records.length && records.every((other) => other === id)) {
      done = true;
      await act();
    }
    return answer;
  });
  return () => done;
}
