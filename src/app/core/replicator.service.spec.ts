import { TestBed } from '@angular/core/testing';
import { Inspection } from '../../../domain/doc-types';
import { seedInspections } from '../testing/seed-inspections';
import { saveInspection } from '../testing/save-inspection';
import { ANA, fakeSessions, provideTestData, requestsFinished, trackRequests, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { initialPull } from './initial-pull';
import { LocalDbService } from './local-db.service';
import { Database, PouchDB } from './pouchdb';
import { PushLedgerService } from './push-ledger.service';
import { cappedBackoff } from './replication.service';
import { INITIAL_PULL_BATCH_SIZE } from './replication-options';
import { Replication, ReplicatorService } from './replicator.service';

describe('ReplicatorService', () => {
  let local: Database;
  let remote: Database;
  let ledger: PushLedgerService;
  let replicator: ReplicatorService;
  const running: Replication[] = [];
  const liveOptions = { heartbeat: 10_000, back_off_function: cappedBackoff };
  const never = new AbortController().signal;

  beforeEach(async () => {
    const prefix = uniqueDbPrefix();
    remote = new PouchDB<object>(prefix + 'server');
    TestBed.configureTestingModule({ providers: provideTestData(fakeSessions(), prefix) });
    local = await TestBed.inject(LocalDbService).open(ANA.db);
    trackRequests(local);
    ledger = TestBed.inject(PushLedgerService);
    await ledger.attach(local);
    replicator = TestBed.inject(ReplicatorService);
  });

  afterEach(async () => {
    // A cancelled replication still finishes the write it was making: the database must outlive it.
    const ended = running.splice(0).map((replication) => {
      replication.cancel();
      return Promise.resolve(replication).catch(() => undefined);
    });
    await Promise.all(ended);
    ledger.detach();
    await requestsFinished(local);
    await TestBed.inject(LocalDbService).destroy();
    await remote.destroy();
  });

  /** Resolves when a live replication has caught up. */
  const caughtUp = (replication: Replication) => new Promise<void>((resolve) => replication.on('paused', (error) => !error && resolve()));

  function live(): { push: Replication; pull: Replication } {
    const push = replicator.livePush(local, remote, liveOptions);
    const pull = replicator.livePull(local, remote, liveOptions);
    running.push(push, pull);
    return { push, pull };
  }

  it('hands over at the checkpoints the live replications carry on from', async () => {
    await seedInspections(remote, 120);
    const serverSeq = await initialPull(local, remote, {
      batchSize: INITIAL_PULL_BATCH_SIZE,
      onBatch: (batch) => ledger.pulled(batch.docs),
    });
    await replicator.handOver(local, remote, serverSeq, never);

    const revsDiff = spyOn(remote, 'revsDiff').and.callThrough();
    const changes = spyOn(remote, 'changes').and.callThrough();
    const { push, pull } = live();
    await Promise.all([caughtUp(push), caughtUp(pull)]);
    // The push asks the server about none of the pulled documents, the pull reads on from the first pull.
    expect(revsDiff).not.toHaveBeenCalled();
    expect(changes.calls.first().args[0]).toEqual(jasmine.objectContaining({ since: serverSeq }));
    expect(ledger.pendingCount()).toBe(0);
  });

  it('leaves the push to start from its own checkpoint while a local edit is unpushed', async () => {
    await seedInspections(remote, 3);
    const serverSeq = await initialPull(local, remote, {
      batchSize: INITIAL_PULL_BATCH_SIZE,
      onBatch: (batch) => ledger.pulled(batch.docs),
    });
    const mine = await saveInspection('Written during the first pull');
    await replicator.handOver(local, remote, serverSeq, never);

    live();
    await waitFor(async () => !!(await remote.get(mine._id).catch(() => null)), 'the edit on the server');
    await waitFor(() => ledger.pendingCount() === 0, 'nothing pending');
  });

  it('counts as pending after a restart offline what was edited here, not what the pull brought since the push last checked with the server', async () => {
    const before = await saveInspection('Edited here before the restart');
    const refused = await saveInspection('Refused before the restart');
    await ledger.rejected(refused._id, 'site: must be a real site', refused._rev);
    await seedInspections(remote, 3, () => ({ createdBy: ANA.name, createdAt: '2026-03-01T08:00:00.000Z' }));
    // Only the pull got through: the tablet went offline before the push checked the pulled records with the server.
    const pull = replicator.livePull(local, remote, liveOptions);
    await caughtUp(pull);
    pull.cancel();
    await Promise.resolve(pull).catch(() => undefined);
    const pulled = (await local.allDocs<Inspection>({ include_docs: true })).rows
      .map((row) => row.doc!)
      .filter((doc) => doc.type === 'inspection' && doc.title.startsWith('Inspection '));
    expect(pulled.length).toBe(3);
    const editedOffline = await saveInspection('Pulled, then edited offline', pulled[0]);
    // The app got on with what it was doing before it was closed.
    await ledger.unsyncedNow();
    await requestsFinished(local);

    ledger.detach();
    await ledger.attach(local);
    expect([...ledger.pendingIds()].sort()).toEqual([before._id, editedOffline._id].sort());
    expect(ledger.rejections()[refused._id]?.reason).toBe('site: must be a real site');

    const after = await saveInspection('Edited after the restart');
    await waitFor(() => ledger.pendingIds().has(after._id), 'the new edit pending');
    expect(ledger.pendingCount()).toBe(3);
  });

  it('at a start, stops counting as pending what the server had before, once the push has caught up', async () => {
    await seedInspections(remote, 2);
    // The tab closed after PouchDB stored the push's checkpoint, before the ledger stored its copy (or asked the server).
    const pushCheckpoint = spyOn(ledger, 'pushCheckpoint').and.resolveTo();
    const confirmWithServer = spyOn(ledger, 'confirmWithServer').and.resolveTo();
    const pushed = await saveInspection('Pushed just before the reload');
    const first = live();
    await waitFor(async () => !!(await remote.get(pushed._id).catch(() => null)), 'the edit on the server');
    await waitFor(
      async () => (await local.allDocs({ startkey: 'inspection:', endkey: 'inspection:\uffff' })).rows.length === 3,
      'the pull',
    );
    const seq = Number((await local.info()).update_seq);
    await waitFor(() => pushCheckpoint.calls.allArgs().some(([at]) => Number(at) >= seq), 'the push checkpoint past everything');
    for (const replication of [first.push, first.pull]) {
      replication.cancel();
      await Promise.resolve(replication).catch(() => undefined);
    }
    await requestsFinished(local);
    pushCheckpoint.and.callThrough();
    confirmWithServer.and.callThrough();

    ledger.detach();
    await ledger.attach(local);
    expect([...ledger.pendingIds()]).toEqual([pushed._id]);
    // The push carries on from its own checkpoint: nothing new, so no checkpoint reported.
    const { push } = live();
    await caughtUp(push);
    await waitFor(() => ledger.pendingCount() === 0, 'nothing pending');
  });

  it('tells the push ledger what the server refused', async () => {
    spyOn(remote, 'bulkDocs').and.callFake((async (request: { docs: { _id: string }[] }) =>
      request.docs.map((doc) => ({ id: doc._id, error: 'forbidden', name: 'forbidden', status: 403, reason: 'title: nope' }))) as never);
    const refused = await saveInspection('Refused');
    live();
    await waitFor(() => !!ledger.rejections()[refused._id], 'the refusal');
    expect(ledger.rejections()[refused._id].reason).toBe('title: nope');
  });

  it('tells the push ledger nothing of another database', async () => {
    const other = new PouchDB<object>(uniqueDbPrefix() + 'other-user');
    const rejected = spyOn(ledger, 'rejected').and.callThrough();
    const pushCheckpoint = spyOn(ledger, 'pushCheckpoint').and.callThrough();
    await other.put({ _id: 'inspection:other' });
    spyOn(remote, 'bulkDocs').and.callFake((async (request: { docs: { _id: string }[] }) =>
      request.docs.map((doc) => ({ id: doc._id, error: 'forbidden', name: 'forbidden', status: 403, reason: 'no' }))) as never);
    const push = replicator.livePush(other, remote, liveOptions);
    running.push(push);
    await caughtUp(push);
    expect(rejected).not.toHaveBeenCalled();
    expect(pushCheckpoint).not.toHaveBeenCalled();
    push.cancel();
    await other.destroy();
  });
});
