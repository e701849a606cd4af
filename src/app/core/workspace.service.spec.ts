import { TestBed } from '@angular/core/testing';
import { lastValueFrom } from 'rxjs';
import { userDbName } from '../../../domain/user-db-name';
import { InspectionStoreService } from '../data/inspection-store.service';
import { DraftEntry, DraftStore } from '../drafts/draft-store.service';
import { ANA, FakeSessions, fakeSessions, provideTestData, requestsFinished, trackRequests, waitFor } from '../testing/test-support';
import { LocalDbService, localDbName } from './local-db.service';
import { Database, IDB_PREFIX, PouchDB, idbDatabaseNames } from './pouchdb';
import { ReplicationService } from './replication.service';
import { Session } from './session.model';
import { PushLedgerService } from './push-ledger.service';
import { WorkspaceService } from './workspace.service';

const BOB: Session = { name: 'bob', roles: [], db: userDbName('bob') };
const EVERYTHING = { status: 'all', search: '', limit: 50 } as const;

describe('WorkspaceService', () => {
  let sessions: FakeSessions;
  let prefix: string;
  let workspace: WorkspaceService;
  let opened: Database[];

  beforeEach(() => {
    sessions = fakeSessions();
    prefix = `test-${crypto.randomUUID().slice(0, 8)}-`;
    TestBed.configureTestingModule({ providers: provideTestData(sessions, prefix) });
    workspace = TestBed.inject(WorkspaceService);
    opened = [];
    TestBed.inject(LocalDbService).db$.subscribe((db) => {
      if (!db) return;
      trackRequests(db);
      opened.push(db);
    });
  });

  afterEach(async () => {
    // Stops the sync, the ledger and the conflict index, and closes the database; what they
    // still had running ends before the databases are deleted.
    await workspace.close(false);
    for (const db of opened) await requestsFinished(db);
    for (const session of [ANA, BOB]) await new PouchDB(localDbName(prefix, session.db), { adapter: 'indexeddb' }).destroy();
  });

  it('opens a per-user database and starts sync, with no test hook (only the e2e build has one)', async () => {
    await workspace.open(ANA);
    const db = TestBed.inject(LocalDbService).db();
    expect(db?.name).toBe(localDbName(prefix, ANA.db));
    expect('fieldbookDb' in window).toBeFalse();
    expect(TestBed.inject(ReplicationService).syncStatus().state).not.toBe('paused');
    const indexes = await db!.getIndexes();
    expect(indexes.indexes.map((index) => index.ddoc)).toContain('_design/idx-type-scheduled');
  });

  it("never shows one user's documents to the next user on the same browser", async () => {
    await workspace.open(ANA);
    await TestBed.inject(InspectionStoreService).create({ title: 'Ana only', site: 'A', scheduledFor: '2026-03-02' });
    await waitFor(() => TestBed.inject(PushLedgerService).pendingCount() === 1, 'the edit pending in the ledger');

    sessions.set(BOB);
    await workspace.open(BOB);
    expect(TestBed.inject(LocalDbService).db()?.name).toBe(localDbName(prefix, BOB.db));
    expect(await lastValueFrom(TestBed.inject(InspectionStoreService).list(EVERYTHING))).toEqual({ inspections: [], total: 0 });
    expect(TestBed.inject(PushLedgerService).pendingCount()).toBe(0);
  });

  it('writes what a form typed and had not written yet into its user’s drafts before another user’s database opens', async () => {
    await workspace.open(ANA);
    const drafts = TestBed.inject(DraftStore);
    const anas = TestBed.inject(LocalDbService).db()!;
    const typed: DraftEntry = { values: { title: 'Typed by Ana' }, inspectionId: '', savedAt: '2026-03-02T10:00:00.000Z' };
    // A form whose pause in typing has not ended (FormDraft): its write waits.
    const typing = drafts.holdTyping(() => drafts.put('new-inspection', typed, anas));
    try {
      sessions.set(BOB);
      await workspace.open(BOB);
      expect(await drafts.get('new-inspection')).toBeNull();
      sessions.set(ANA);
      await workspace.open(ANA);
      expect((await drafts.get('new-inspection'))?.values).toEqual(typed.values);
    } finally {
      typing();
    }
  });

  it('keeps the local data when closed without destroying, and deletes it when asked', async () => {
    await workspace.open(ANA);
    await TestBed.inject(InspectionStoreService).create({ title: 'Kept', site: 'A', scheduledFor: '2026-03-02' });
    await waitFor(() => TestBed.inject(PushLedgerService).pendingCount() === 1, 'the edit pending in the ledger');
    await workspace.close(false);

    await workspace.open(ANA);
    const kept = await lastValueFrom(TestBed.inject(InspectionStoreService).list(EVERYTHING));
    expect(kept.inspections.map((d) => d.title)).toEqual(['Kept']);
    await workspace.close(true);
    await workspace.open(ANA);
    expect(await lastValueFrom(TestBed.inject(InspectionStoreService).list(EVERYTHING))).toEqual({ inspections: [], total: 0 });
  });

  it('deletes the local data when the user logged out in another tab, with what this tab wrote after that tab deleted it', async () => {
    await workspace.open(ANA);
    const db = TestBed.inject(LocalDbService).require();
    const stored = () => idbDatabaseNames().then((names) => names.includes(IDB_PREFIX + db.name));
    // The other tab deletes the database (its logout); this tab's handle writes on, as its sync
    // and ledger do until they hear of the logout, and so opens the database again.
    await new PouchDB(db.name, { adapter: 'indexeddb' }).destroy();
    await db.put({ _id: 'written-after-the-other-tab-deleted-it' });
    expect(await stored())
      .withContext('opened again by the write')
      .toBeTrue();

    // The other tab's logout is heard here.
    sessions.loggedOutElsewhere$.next();
    sessions.set(null);
    await workspace.sync();
    await workspace.settled();
    expect(await stored())
      .withContext('left on the device')
      .toBeFalse();
  });
});
