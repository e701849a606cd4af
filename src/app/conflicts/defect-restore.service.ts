import { Injectable, inject } from '@angular/core';
import { isLive } from '../core/is-live';
import { LocalDbService } from '../core/local-db.service';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { LocalRecordMap, withoutKeys } from '../core/local-record-map';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { UserServerDb } from '../core/user-server-db';
import { DocWriterService } from '../data/doc-writer.service';
import { PhotoRestoreService } from '../data/photo-restore.service';
import { RestoreOutcome, restoreOverTombstone } from '../data/restore-over-tombstone';

/** What became of one defect to bring back (RestoreOutcome), or `waiting`: the server could not be asked yet. */
export type DefectRestoreOutcome = RestoreOutcome | 'waiting';

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
 *
 * Whether the server deleted one is only known by asking it: each defect is noted on the device
 * (a `_local` document) until it was asked, and one it could not be asked about (out of coverage,
 * the proxy restarting) is tried again by `retry`, unless its inspection is gone again by then.
 * So is one written again whose photos did not all come back: only its photos, while it lives.
 */
@Injectable({ providedIn: 'root' })
export class DefectRestoreService {
  private readonly localDb = inject(LocalDbService);
  private readonly server = inject(UserServerDb);
  private readonly ledger = inject(PushLedgerService);
  private readonly writer = inject(DocWriterService);
  private readonly photos = inject(PhotoRestoreService);
  /** The defects still to come back, by id, with the id of their inspection. */
  private readonly waiting = new LocalRecordMap<string>(LOCAL_DOC_IDS.defectRestore, 'waiting');
  /**
   * Those of them written again here, whose photos are still to come back: not written again
   * (a deletion of one since is the user's), its photos tried again while it lives.
   */
  private readonly written = new LocalRecordMap<string>(LOCAL_DOC_IDS.defectRestore, 'written');

  /** The defects the deletions among `leaves` of the kept inspection `inspectionId` took, brought back or waiting for the server. */
  async keepDefects(inspectionId: string, leaves: readonly Record<string, unknown>[]): Promise<Map<string, DefectRestoreOutcome>> {
    const outcomes = new Map<string, DefectRestoreOutcome>();
    const ids = defectsDeletedWith(leaves);
    if (!ids.length) return outcomes;
    const db = this.localDb.require();
    // Noted before the first request: a tab closed meanwhile leaves them to `retry` too.
    await this.waiting.update(db, (waiting) => ({ ...waiting, ...Object.fromEntries(ids.map((id) => [id, inspectionId])) }));
    for (const id of ids) outcomes.set(id, await this.attempt(db, id, inspectionId, false));
    return outcomes;
  }

  /** Tries again each defect still waiting; one whose inspection is gone again meanwhile (deleted, archived, let go) stays deleted. */
  async retry(db: Database): Promise<void> {
    const written = await this.written.read(db);
    for (const [id, inspectionId] of Object.entries({ ...(await this.waiting.read(db)), ...written })) {
      // The database closed meanwhile (logout, another user): its defects wait for its next run.
      if (this.localDb.db() !== db) return;
      if (await isLive(db, inspectionId)) await this.attempt(db, id, inspectionId, id in written);
      else await this.forget(db, id);
    }
  }

  /** Brings `id` back, or only its photos once it was `written` again here. */
  private async attempt(db: Database, id: string, inspectionId: string, written: boolean): Promise<DefectRestoreOutcome> {
    const server = this.server.open();
    if (!server) return 'waiting';
    try {
      const outcome = written ? 'restored' : await this.restoreOne(db, server, id, inspectionId);
      if (outcome === 'restored') await this.keepPhotos(db, id);
      await this.forget(db, id);
      return outcome;
    } catch (error) {
      console.warn('A defect of a kept inspection could not be brought back; tried again when sync next catches up', id, error);
      return 'waiting';
    }
  }

  /** Forgets `id`: `written` last, so that no defect is left noted as still to be written when it was. */
  private async forget(db: Database, id: string): Promise<void> {
    await this.waiting.update(db, (waiting) => withoutKeys(waiting, [id]));
    await this.written.update(db, (written) => withoutKeys(written, [id]));
  }

  private restoreOne(db: Database, server: Database, id: string, inspectionId: string): Promise<RestoreOutcome> {
    return restoreOverTombstone(
      db,
      server,
      this.ledger,
      id,
      () => true,
      async (before, tombstoneRev) => {
        await this.writer.restoreDeleted(before, tombstoneRev);
        await this.written.update(db, (written) => ({ ...written, [id]: inspectionId }));
      },
    );
  }

  /** The photos of `id`, written again here, while it lives (deleted since, it stays so). */
  private async keepPhotos(db: Database, id: string): Promise<void> {
    if (!(await isLive(db, id))) return;
    await this.photos.keepPhotos(await db.get(id), [{}]);
  }
}
