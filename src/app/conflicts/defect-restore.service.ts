import { Injectable, inject } from '@angular/core';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { SessionService } from '../core/session.service';
import { DocWriterService } from '../data/doc-writer.service';
import { PhotoRestoreService } from '../data/photo-restore.service';
import { RestoreOutcome, restoreOverTombstone } from '../data/restore-over-tombstone';

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
  async keepDefects(leaves: readonly Record<string, unknown>[]): Promise<Map<string, RestoreOutcome>> {
    const outcomes = new Map<string, RestoreOutcome>();
    const ids = defectsDeletedWith(leaves);
    if (!ids.length) return outcomes;
    const db = this.localDb.require();
    const session = this.sessions.session();
    if (!session) throw new Error('Not logged in');
    const server = this.openRemote(session.db);
    for (const id of ids) outcomes.set(id, await this.restoreOne(db, server, id));
    return outcomes;
  }

  private restoreOne(db: Database, server: Database, id: string): Promise<RestoreOutcome> {
    return restoreOverTombstone(
      db,
      server,
      this.ledger,
      id,
      () => true,
      async (before, tombstoneRev) => {
        await this.writer.restoreDeleted(before, tombstoneRev);
        await this.photos.keepPhotos(await db.get(id), [{}]);
      },
    );
  }
}
