import { Injectable, inject } from '@angular/core';
import { fetchLeaves } from '../../../domain/conflicts/conflicted-docs';
import { mergedLeaves, winnerFirst } from '../../../domain/conflicts/revision-tree';
import { LeafDoc } from '../../../domain/conflicts/stored-doc';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { SessionService } from '../core/session.service';
import { DocWriterService } from '../data/doc-writer.service';
import { PhotoRestoreOutcome, PhotoRestoreService, lastRevisionBefore } from '../data/photo-restore.service';
import { ValidationError } from '../data/validation-bridge';

/** What became of one defect an inspection's deletion took: as a photo's (PhotoRestoreOutcome). */
export type DefectRestoreOutcome = PhotoRestoreOutcome;

/** The defects a deletion among `leaves` took with its inspection, as its tombstone names them (InspectionStoreService.remove). */
export function defectsDeletedWith(leaves: readonly Record<string, unknown>[]): string[] {
  const named = leaves.flatMap((leaf) => (leaf['_deleted'] && Array.isArray(leaf['deletedDefects']) ? leaf['deletedDefects'] : []));
  return [...new Set(named.filter((id): id is string => typeof id === 'string'))];
}

/**
 * Brings back the defects of an inspection kept over its deletion. Deleting an inspection deletes
 * its defects first (and their photos); when a version of it edited elsewhere meanwhile is kept in
 * the conflict inbox, the user keeps the inspection as it was, defects included, though none of
 * them is in conflict. Each one still deleted, here or on the server, is written again on top of
 * its tombstone as it was before (this device's copy, else the server's), as the user's change,
 * with its photos (PhotoRestoreService).
 */
@Injectable({ providedIn: 'root' })
export class DefectRestoreService {
  private readonly localDb = inject(LocalDbService);
  private readonly sessions = inject(SessionService);
  private readonly openRemote = inject(REMOTE_DB_FACTORY);
  private readonly ledger = inject(PushLedgerService);
  private readonly writer = inject(DocWriterService);
  private readonly photos = inject(PhotoRestoreService);

  /** The defects the deletions among `leaves` took, brought back; rejects when the server cannot be asked. */
  async keepDefects(leaves: readonly Record<string, unknown>[]): Promise<Map<string, DefectRestoreOutcome>> {
    const outcomes = new Map<string, DefectRestoreOutcome>();
    const ids = defectsDeletedWith(leaves);
    if (!ids.length) return outcomes;
    const db = this.localDb.require();
    const session = this.sessions.session();
    if (!session) throw new Error('Not logged in');
    const server = this.openRemote(session.db);
    for (const id of ids) outcomes.set(id, await this.restoreOne(db, server, id));
    return outcomes;
  }

  private async restoreOne(db: Database, server: Database, id: string): Promise<DefectRestoreOutcome> {
    const here = await fetchLeaves(db, id);
    const [winner] = winnerFirst(mergedLeaves(here, await fetchLeaves(server, id)));
    if (!winner) return 'absent';
    if (!winner._deleted) return 'live';
    const before = await lastRevisionBefore(id, winner, [db, server]);
    if (!before) return 'lost';
    if (!here.some((leaf) => leaf._rev === winner._rev)) await this.storeAsPulled(db, winner);
    try {
      await this.writer.restoreDeleted(before, winner._rev);
    } catch (error) {
      if (error instanceof ValidationError) return 'refused';
      throw error;
    }
    await this.photos.keepPhotos(await db.get(id), [{}]);
    return 'restored';
  }

  /** The server's tombstone, stored as the replicator stores what it pulls. */
  private async storeAsPulled(db: Database, tombstone: LeafDoc): Promise<void> {
    await db.bulkDocs([tombstone as PouchDB.Core.PutDocument<object>], { new_edits: false });
    this.ledger.pulled([tombstone]);
  }
}
