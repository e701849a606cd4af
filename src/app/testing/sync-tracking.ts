import { EnvironmentProviders, Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { ConflictIndexService } from '../core/conflict-index.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { LocalDbService } from '../core/local-db.service';
import { ANA, FakeSessions, fakeSessions, provideTestData, requestsFinished, trackRequests } from './test-support';

/**
 * What the workspace attaches to a user's database besides the sync itself: the push ledger and
 * the conflict index. The requests on `db` are counted from here on (`requestsFinished`).
 */
export async function attachSyncTracking(db: Database): Promise<void> {
  trackRequests(db);
  await Promise.all([TestBed.inject(PushLedgerService).attach(db), TestBed.inject(ConflictIndexService).attach(db)]);
}

/**
 * A spec's TestBed with the test data and `providers`, and ANA's database open with the sync
 * tracking attached, as a signed-in workspace has it. End it with `endSyncTracking`.
 */
export async function openTrackedDb(
  providers: (Provider | EnvironmentProviders)[] = [],
  sessions: FakeSessions = fakeSessions(),
): Promise<Database> {
  TestBed.configureTestingModule({ providers: [...provideTestData(sessions), ...providers] });
  const db = await TestBed.inject(LocalDbService).open(ANA.db);
  await attachSyncTracking(db);
  return db;
}

export function detachSyncTracking(): void {
  TestBed.inject(PushLedgerService).detach();
  TestBed.inject(ConflictIndexService).detach();
}

/**
 * Ends a spec on the user's database once its components are destroyed (they start reads):
 * stops the tracking, waits for the calls still running, then deletes the database.
 */
export async function endSyncTracking(db: Database): Promise<void> {
  detachSyncTracking();
  await requestsFinished(db);
  await TestBed.inject(LocalDbService).destroy();
}
