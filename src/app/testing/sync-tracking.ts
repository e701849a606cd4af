import { TestBed } from '@angular/core/testing';
import { ConflictIndexService } from '../core/conflict-index.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { trackRequests } from './test-support';

/**
 * What the workspace attaches to a user's database besides the sync itself: the push ledger and
 * the conflict index. The requests on `db` are counted from here on (`requestsFinished`).
 */
export async function attachSyncTracking(db: Database): Promise<void> {
  trackRequests(db);
  await Promise.all([TestBed.inject(PushLedgerService).attach(db), TestBed.inject(ConflictIndexService).attach(db)]);
}

export function detachSyncTracking(): void {
  TestBed.inject(PushLedgerService).detach();
  TestBed.inject(ConflictIndexService).detach();
}
