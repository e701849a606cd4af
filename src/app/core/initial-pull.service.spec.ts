import { WritableSignal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { isAuditId } from '../../../domain/audit-entry';
import { Inspection } from '../../../domain/doc-types';
import { photoDocId } from '../../../domain/photo-doc';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { newDocId } from '../data/doc-writer.service';
import { seedInspections } from '../testing/seed-inspections';
import { saveInspection } from '../testing/save-inspection';
import { ANA, fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { InitialPullProgress, InitialPullService } from './initial-pull.service';
import { LocalDbService } from './local-db.service';
import { Database, PouchDB } from './pouchdb';
import { PushLedgerService } from './push-ledger.service';
import { HEALTH_CHECK } from './reachability.service';
import { REMOTE_DB_FACTORY } from './remote-db';
import { ReplicationService } from './replication.service';

describe('the first pull of a device', () => {
  let local: Database;
  let remote: Database;
  let replication: ReplicationService;
  let ledger: PushLedgerService;
  let firstPull: InitialPullService;

  beforeEach(async () => {
    const prefix = uniqueDbPrefix();
    remote = new PouchDB<object>(prefix + 'server');
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(fakeSessions(), prefix),
        { provide: REMOTE_DB_FACTORY, useValue: () => remote },
        { provide: HEALTH_CHECK, useValue: () => Promise.resolve(true) },
      ],
    });
    local = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
    await ledger.attach(local);
    replication = TestBed.inject(ReplicationService);
    firstPull = TestBed.inject(InitialPullService);
  });

  afterEach(async () => {
    replication.stop();
    ledger.detach();
    await TestBed.inject(LocalDbService).destroy();
    await remote.destroy();
  });

  /** Runs `step` each time pulled revisions reach the push ledger (a first-pull batch, a replicated one). */
  function onPulled(step: () => void): void {
    const pulled = ledger.pulled.bind(ledger);
    spyOn(ledger, 'pulled').and.callFake((docs) => {
      step();
      pulled(docs);
    });
  }

  const upToDate = () => replication.syncStatus().state === 'paused';
  // Records: no design documents, no audit entries (each save here writes one).
  const dataIds = async (db: Database) =>
    (await db.allDocs()).rows.map((row) => row.id).filter((id) => !id.startsWith('_design/') && !isAuditId(id));

  it('brings everything with its conflicts, shows progress, and nothing counts as waiting to sync', async () => {
    await seedInspections(remote, 620);
    const [first] = (await remote.allDocs({ limit: 1 })).rows;
    const doc = await remote.get(first.id);
    await remote.bulkDocs(
      [
        { ...doc, _rev: '2-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', title: 'Tablet A' },
        { ...doc, _rev: '2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', title: 'Tablet B' },
      ],
      { new_edits: false },
    );
    const progress: (InitialPullProgress | null)[] = [];
    onPulled(() => progress.push(firstPull.progress()));

    replication.start(local, ANA.db);
    await waitFor(() => replication.syncStatus().state === 'syncing', 'syncing');
    await waitFor(upToDate, 'up to date', 15_000);

    expect((await dataIds(local)).length).toBe(620);
    const conflicts = (await remote.get(first.id, { conflicts: true }))._conflicts;
    expect(conflicts?.length).toBeGreaterThan(0);
    expect((await local.get(first.id, { conflicts: true }))._conflicts).toEqual(conflicts);
    expect(ledger.pendingCount()).toBe(0);
    expect(progress[0]).toEqual({ pulled: 0, total: 620 });
    expect(progress[1]).toEqual({ pulled: 500, total: 620 });
    expect(firstPull.progress()).toBeNull();
  });

  /** Every progress the first pull reports, in order. */
  function recordProgress(): (InitialPullProgress | null)[] {
    const seen: (InitialPullProgress | null)[] = [];
    const state = (firstPull as unknown as { state: WritableSignal<InitialPullProgress | null> }).state;
    const set = state.set.bind(state);
    spyOn(state, 'set').and.callFake((value) => {
      seen.push(value);
      set(value);
    });
    return seen;
  }

  /** The server's design documents, as the bootstrap installs them: validation and the Mango indexes. */
  async function serverDesignDocs(): Promise<void> {
    await remote.put({ _id: '_design/fieldbook', validate_doc_update: 'function () {}' });
    for (const { ddoc } of MANGO_INDEXES) await remote.put({ _id: `_design/${ddoc}`, language: 'query', views: {} });
  }

  it('on an empty server database, checks for updates instead of counting its design documents ("0 of 5")', async () => {
    await serverDesignDocs();
    const progress = recordProgress();
    replication.start(local, ANA.db);
    await waitFor(upToDate, 'up to date');
    expect(progress).toContain({ pulled: 0, total: 0 });
    expect(progress.filter((shown) => shown && shown.total > 0)).toEqual([]);
    expect(progress[progress.length - 1]).toBeNull();
  });

  it("counts only the user's documents, not the server's design documents nor the full-size photos it leaves there", async () => {
    await serverDesignDocs();
    await seedInspections(remote, 3);
    await remote.bulkDocs([photoDocId('defect:x', 'a.jpg'), photoDocId('defect:x', 'b.jpg')].map((_id) => ({ _id, type: 'photo' })));
    const progress = recordProgress();
    replication.start(local, ANA.db);
    await waitFor(upToDate, 'up to date');
    expect(progress).toEqual([{ pulled: 0, total: 0 }, { pulled: 0, total: 3 }, { pulled: 3, total: 3 }, null]);
  });

  it('leaves nothing it pulled waiting to sync after a reload, then syncs both ways', async () => {
    await seedInspections(remote, 30);
    replication.start(local, ANA.db);
    await waitFor(upToDate, 'up to date');

    // A reload: the ledger forgets what was pulled, so the push checkpoint must be past it all.
    replication.stop();
    ledger.detach();
    await ledger.attach(local);
    expect(ledger.pendingCount()).toBe(0);

    replication.start(local, ANA.db);
    const mine = await saveInspection('Written here');
    await waitFor(async () => !!(await remote.get(mine._id).catch(() => null)), 'the push');
    await remote.put({ _id: newDocId('inspection'), type: 'inspection', title: 'Written on the server' });
    await waitFor(async () => (await dataIds(local)).length === 32, 'the live pull');
    await waitFor(() => ledger.pendingCount() === 0, 'nothing pending');
  });

  it('hands over to a live push that asks the server about none of the pulled documents', async () => {
    await seedInspections(remote, 300);
    const asked = new Set<string>();
    const revsDiff = remote.revsDiff.bind(remote);
    spyOn(remote, 'revsDiff').and.callFake(((diff: Record<string, string[]>) => {
      for (const id of Object.keys(diff)) asked.add(id);
      return revsDiff(diff);
    }) as never);
    replication.start(local, ANA.db);
    await waitFor(upToDate, 'up to date', 15_000);
    // An edit proves the live push runs; only it (and its audit entry) is asked about.
    const mine = await saveInspection('Written after the first pull');
    await waitFor(async () => !!(await remote.get(mine._id).catch(() => null)), 'the push');
    expect([...asked].filter((id) => !isAuditId(id))).toEqual([mine._id]);
  });

  it('sends a local edit made while it runs', async () => {
    await seedInspections(remote, 40);
    let edit: Promise<Inspection> | null = null;
    onPulled(() => (edit ??= saveInspection('Written during the first pull')));
    replication.start(local, ANA.db);
    await waitFor(() => !!edit, 'the edit');
    const written = await edit!;
    await waitFor(async () => upToDate() && !!(await remote.get(written._id).catch(() => null)), 'the edit on the server', 10_000);
    await waitFor(() => ledger.pendingCount() === 0, 'nothing pending');
  });

  /** A first pull of 1,200 cut short during its first batch (a logout, a closed tab); resolves with the batches heard. */
  async function interruptedFirstPull(): Promise<number> {
    await seedInspections(remote, 1200);
    let batches = 0;
    onPulled(() => ++batches === 1 && replication.stop());
    const ensure = spyOn(firstPull, 'ensure').and.callThrough();
    replication.start(local, ANA.db);
    await expectAsync(ensure.calls.mostRecent().returnValue).toBeRejected();
    return batches;
  }

  it('resumes where it was interrupted, also after a reload', async () => {
    expect(await interruptedFirstPull()).toBe(1);
    const afterFirst = (await dataIds(local)).length;
    expect(afterFirst).toBeGreaterThan(0);
    expect(afterFirst).toBeLessThan(1200);
    // A reload. Had the tab closed before the ledger stored what it read, it would not know those
    // came from the server: the server is asked before the first pull goes on (pendingWhenResumed).
    ledger.detach();
    await ledger.attach(local);

    const readFrom: (string | number | undefined)[] = [];
    let pendingWhenResumed: number | undefined;
    const changes = remote.changes.bind(remote);
    spyOn(remote, 'changes').and.callFake(((options: { since?: string | number }) => {
      pendingWhenResumed ??= ledger.pendingCount();
      readFrom.push(options?.since);
      return changes(options);
    }) as never);
    replication.start(local, ANA.db);
    await waitFor(upToDate, 'up to date', 15_000);
    expect((await dataIds(local)).length).toBe(1200);
    expect(readFrom[0]).not.toBe(0);
    // The server said it has them before the first pull went on.
    expect(pendingWhenResumed).toBe(0);
    expect(ledger.pendingCount()).toBe(0);
  });

  it('starts again from the start when the server database was recreated since it was interrupted (its sequence went back)', async () => {
    await interruptedFirstPull();
    // Recreated (or restored from an older backup) with fewer documents than the device's marker counts.
    await remote.destroy();
    remote = new PouchDB<object>(uniqueDbPrefix() + 'server');
    await seedInspections(remote, 40);

    // What the chip says as the first batch is fetched: nothing pulled yet (not what the device kept).
    let shownAtFirstBatch: { pulled: number; total: number } | null | undefined;
    const bulkGet = remote.bulkGet.bind(remote);
    spyOn(remote, 'bulkGet').and.callFake(((options: never) => {
      shownAtFirstBatch ??= firstPull.progress();
      return bulkGet(options);
    }) as never);
    replication.start(local, ANA.db);
    await waitFor(upToDate, 'up to date', 15_000);
    expect(shownAtFirstBatch).toEqual({ pulled: 0, total: 40 });
    const here = new Set(await dataIds(local));
    expect((await dataIds(remote)).filter((id) => !here.has(id))).toEqual([]);
  });

  it('runs in one tab at a time; the other finds it done', async () => {
    await seedInspections(remote, 620);
    const bulkGet = spyOn(remote, 'bulkGet').and.callThrough();
    // The same page stands in for a second tab: the lock is per origin, like the database.
    const otherTab = TestBed.runInInjectionContext(() => new InitialPullService());
    const signal = new AbortController().signal;
    await Promise.all([firstPull.ensure(local, remote, signal), otherTab.ensure(local, remote, signal)]);
    expect(bulkGet).toHaveBeenCalledTimes(2); // two batches of 500, once
    expect((await dataIds(local)).length).toBe(620);
  });

  it('leaves a device that synced before it existed to the replicator', async () => {
    await saveInspection('Already here');
    await seedInspections(remote, 3);
    const progress: (InitialPullProgress | null)[] = [];
    onPulled(() => progress.push(firstPull.progress()));
    replication.start(local, ANA.db);
    await waitFor(upToDate, 'up to date');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((step) => step === null)).toBeTrue();
    expect((await dataIds(local)).length).toBe(4);
    expect((await dataIds(remote)).length).toBe(4);
  });
});
