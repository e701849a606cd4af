import { Injectable, inject } from '@angular/core';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { isLive } from '../core/is-live';
import { LocalRecordMap, withoutKeys } from '../core/local-record-map';
import { Database } from '../core/pouchdb';
import { UserServerDb } from '../core/user-server-db';
import { LocalPurgeService } from './local-purge.service';

/**
 * Brings back from the server the records an inspection left this device with, once it is a
 * live record here again (LocalPurgeService.restoreRecords). They did not change, so no pull
 * brings them: the inspection is noted as waiting for them until they are written, and a
 * failed try (out of coverage, a refusal) is made again by `retry`. The notes are kept in the
 * archive index's `_local` document, beside the index.
 */
@Injectable({ providedIn: 'root' })
export class RecordRestoreService {
  private readonly purge = inject(LocalPurgeService);
  private readonly server = inject(UserServerDb);
  /** The inspections whose records are still to come back, by id. */
  private readonly waiting = new LocalRecordMap<true>(LOCAL_DOC_IDS.archive, 'restoring');

  /** Notes that the inspection's records must come back, and tries now. */
  async restore(db: Database, inspectionId: string): Promise<void> {
    await this.waiting.update(db, (waiting) => (waiting[inspectionId] ? waiting : { ...waiting, [inspectionId]: true }));
    await this.attempt(db, inspectionId);
  }

  /** Tries again each restore still waiting. */
  async retry(db: Database): Promise<void> {
    for (const inspectionId of Object.keys(await this.waiting.read(db))) await this.attempt(db, inspectionId);
  }

  private async attempt(db: Database, inspectionId: string): Promise<void> {
    const server = this.server.open();
    if (!server) return;
    try {
      // Gone again meanwhile (archived, let go, deleted): nothing is to come back.
      if (await isLive(db, inspectionId)) await this.purge.restoreRecords(db, server, inspectionId);
      await this.waiting.update(db, (waiting) => withoutKeys(waiting, [inspectionId]));
    } catch (error) {
      console.warn('The records of an inspection could not be fetched; tried again on the next archive run', inspectionId, error);
    }
  }
}
