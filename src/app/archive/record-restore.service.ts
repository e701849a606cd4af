import { Injectable, inject } from '@angular/core';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { LocalRecordMap, withoutKeys } from '../core/local-record-map';
import { Database } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { SessionService } from '../core/session.service';
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
  private readonly sessions = inject(SessionService);
  private readonly openRemote = inject(REMOTE_DB_FACTORY);
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
    const userDb = this.sessions.session()?.db;
    if (!userDb) return;
    try {
      // Gone again meanwhile (archived, let go, deleted): nothing is to come back.
      if (await isHere(db, inspectionId)) await this.purge.restoreRecords(db, this.openRemote(userDb), inspectionId);
      await this.waiting.update(db, (waiting) => withoutKeys(waiting, [inspectionId]));
    } catch (error) {
      console.warn('The records of an inspection could not be fetched; tried again on the next archive run', inspectionId, error);
    }
  }
}

async function isHere(db: Database, id: string): Promise<boolean> {
  try {
    await db.get(id);
    return true;
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    return false;
  }
}
