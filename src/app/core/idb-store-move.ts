import { MIGRATION_PROGRESS_ID } from '../../../domain/schema-versions';
import { LOCAL_DOC_IDS } from './local-doc-ids';
import { Database, IDB_PREFIX, PouchDB } from './pouchdb';

/** `_local` state that means the same in any database: copied as it is. */
const CARRIED = [LOCAL_DOC_IDS.drafts, LOCAL_DOC_IDS.initialPull, MIGRATION_PROGRESS_ID];

/**
 * Releases before the `indexeddb` adapter kept the user's database in PouchDB's `idb` adapter
 * under `oldName`. This copies it into `target` once, then deletes it: every document with
 * its whole revision tree (conflicts, deletions, attachments and the revisions not pushed
 * yet, by a local replication), and the device state kept in `_local` documents. State that
 * counts local sequences is rebuilt instead: the push ledger keeps its refusals but starts at
 * sequence 0 (so every record reads pending until the next push confirms it), the conflict
 * index reads the new database from its start. Stopped half way (a closed tab), it runs
 * again on the next open: a replication only adds what is missing. `idbNames`: the origin's
 * IndexedDB databases (idbDatabaseNames), to see whether the old store is there.
 */
export async function moveFromIdbStore(oldName: string, target: Database, idbNames: readonly string[]): Promise<void> {
  if (!idbNames.includes(IDB_PREFIX + oldName)) return;
  const old = new PouchDB<object>(oldName, { adapter: 'idb' });
  await old.replicate.to(target, { batch_size: 250 });
  for (const id of CARRIED) await copyLocalDoc(old, target, id, (doc) => doc);
  await copyLocalDoc(old, target, LOCAL_DOC_IDS.pushLedger, (ledger) => ({ ...ledger, pushedSeq: 0 }));
  await old.destroy();
}

async function copyLocalDoc(
  from: Database,
  to: Database,
  id: string,
  adapt: (doc: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  const doc = await from.get<Record<string, unknown>>(id).catch(() => null);
  if (!doc) return;
  const existing = await to.get(id).catch(() => null);
  const { _rev: _oldRev, ...body } = doc;
  await to.put({ ...adapt(body), _id: id, _rev: existing?._rev });
}
