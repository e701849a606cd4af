import { isNotFound } from '../../../domain/conflicts/conflict-db';
import { fetchLeaves } from '../../../domain/conflicts/conflicted-docs';
import { ancestorRevs, mergedLeaves, winnerFirst } from '../../../domain/conflicts/revision-tree';
import { LeafDoc, StoredDoc } from '../../../domain/conflicts/stored-doc';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { ValidationError } from './validation-bridge';

/**
 * What became of one document to bring back: `live` (nothing to do), `restored`, `absent`
 * (neither here nor on the server: the tablet that wrote it has not pushed it), `lost` (deleted,
 * and no usable earlier revision is left anywhere: compacted away), `refused` (the rules do not
 * let this user write it again).
 */
export type RestoreOutcome = 'live' | 'restored' | 'absent' | 'lost' | 'refused';

/**
 * Brings back `id` if its winner, here or on `server`, is deleted: its newest earlier revision
 * that is `usable` (this device's copy, else the server's) goes to `write`, to be written again
 * on top of the tombstone, which is first stored here as the replicator stores what it pulls.
 * Rejects when the server cannot be asked.
 */
export async function restoreOverTombstone(
  db: Database,
  server: Database,
  ledger: PushLedgerService,
  id: string,
  usable: (doc: StoredDoc) => boolean,
  write: (before: StoredDoc, tombstoneRev: string) => Promise<unknown>,
): Promise<RestoreOutcome> {
  const here = await fetchLeaves(db, id);
  const [winner] = winnerFirst(mergedLeaves(here, await fetchLeaves(server, id)));
  if (!winner) return 'absent';
  if (!winner._deleted) return 'live';
  // Read before the tombstone is stored here: that write compacts away what this device still had.
  const before = await lastRevisionBefore(id, winner, [db, server], usable);
  if (!before) return 'lost';
  if (!here.some((leaf) => leaf._rev === winner._rev)) {
    // As the replicator stores what it pulls: that very revision, with its history.
    await db.bulkDocs([winner as PouchDB.Core.PutDocument<object>], { new_edits: false });
    ledger.pulled([winner]);
  }
  try {
    await write(before, winner._rev);
  } catch (error) {
    if (error instanceof ValidationError) return 'refused';
    throw error;
  }
  return 'restored';
}

/**
 * The newest live revision before `tombstone` (with its attachments) that is `usable`, from the
 * first of `sources` that still has its body (a database compacts old revisions away).
 */
async function lastRevisionBefore(
  id: string,
  tombstone: LeafDoc,
  sources: readonly Database[],
  usable: (doc: StoredDoc) => boolean,
): Promise<StoredDoc | null> {
  for (const rev of ancestorRevs(tombstone)) {
    for (const source of sources) {
      const doc = await source.get<object>(id, { rev, attachments: true, binary: true }).then(
        (found) => found as unknown as StoredDoc,
        (error: unknown) => {
          // Compacted away there (its body is gone), or never there.
          if (isNotFound(error)) return null;
          throw error;
        },
      );
      if (doc && !doc._deleted && usable(doc)) return doc;
    }
  }
  return null;
}
