import { Injectable, inject } from '@angular/core';
import { ConflictIndexService } from '../core/conflict-index.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { LOCAL_FIND_LIMIT } from '../data/find-limit';
import { DraftStore } from '../drafts/draft-store.service';
import { photoIdsOf } from './photo-ids';

/**
 * What keeps an inspection on this device, worst first: edits the server refused, edits (or
 * their audit entries) not pushed yet, conflicting versions, or text typed and not saved — of the inspection or any of
 * its defects, their photos included. Nothing (null): the server has all of it, and taking it
 * off loses nothing.
 */
export type Hold = 'refused' | 'pending' | 'conflict' | 'draft';

@Injectable({ providedIn: 'root' })
export class InspectionHoldService {
  private readonly ledger = inject(PushLedgerService);
  private readonly conflicts = inject(ConflictIndexService);
  private readonly drafts = inject(DraftStore);

  /** The inspection's id and its defects'. */
  async recordIds(db: Database, inspectionId: string): Promise<string[]> {
    const found = await db.find({
      selector: { inspectionId },
      fields: ['_id'],
      use_index: ['idx-inspection', 'inspection'],
      limit: LOCAL_FIND_LIMIT,
    });
    return [inspectionId, ...(found.docs as { _id: string }[]).map((doc) => doc._id)];
  }

  /** `conflicts: false` leaves conflicts out (an inspection reassigned away, whose every version is on the server). */
  async holdOf(db: Database, inspectionId: string, { conflicts = true } = {}): Promise<Hold | null> {
    const records = await this.recordIds(db, inspectionId);
    // A defect's full-size photos are documents of their own, pushed (or refused) on their own.
    const ids = [...records, ...(await Promise.all(records.map((id) => photoIdsOf(db, id)))).flat()];
    const refused = this.ledger.rejections();
    if (ids.some((id) => id in refused)) return 'refused';
    const pending = this.ledger.pendingIds();
    const entriesPending = this.ledger.pendingEntryRecords();
    if (ids.some((id) => pending.has(id) || entriesPending.has(id))) return 'pending';
    const conflicted = this.conflicts.conflictIds();
    if (conflicts && ids.some((id) => conflicted.has(id))) return 'conflict';
    // Typing that has not paused yet counts: let go under the open form, it would be kept for a
    // record gone from the device.
    return (await this.drafts.typedOn(inspectionId, db)) ? 'draft' : null;
  }
}
