import { TestBed } from '@angular/core/testing';
import { filter, firstValueFrom } from 'rxjs';
import { Inspection } from '../../../domain/doc-types';
import { inspectionFields } from '../../../test/fixtures/documents';
import { newDocId } from '../data/doc-writer.service';
import { saveInspection } from '../testing/save-inspection';
import { ANA, fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { InitialPullService } from './initial-pull.service';
import { LocalDbService } from './local-db.service';
import { Database, PouchDB } from './pouchdb';
import { PushLedgerService } from './push-ledger.service';
import { HEALTH_CHECK } from './reachability.service';
import { REMOTE_DB_FACTORY } from './remote-db';
import { ReplicationService, cappedBackoff } from './replication.service';
import { Replication, ReplicatorService } from './replicator.service';
import { UNREACHABLE_MESSAGE } from './sync-error-message';

describe('cappedBackoff', () => {
  it('starts at a second, doubles, and stops at a minute', () => {
    expect(cappedBackoff(0)).toBe(1000);
    expect(cappedBackoff(1000)).toBe(2000);
    expect(cappedBackoff(16000)).toBe(32000);
    expect(cappedBackoff(40000)).toBe(60000);
    expect(cappedBackoff(60000)).toBe(60000);
  });
});

describe('ReplicationService', () => {
  let prefix: string;
  let local: Database;
  let remote: Database;
  let healthy: boolean;
  let remoteFactory: (userDb: string, ended?: AbortSignal) => Database;
  let replication: ReplicationService;
  let ledger: PushLedgerService;

  beforeEach(async () => {
    prefix = uniqueDbPrefix();
    healthy = true;
    remote = new PouchDB<object>(prefix + 'server');
    remoteFactory = () => remote;
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(fakeSessions(), prefix),
        { provide: REMOTE_DB_FACTORY, useValue: (userDb: string, ended?: AbortSignal) => remoteFactory(userDb, ended) },
        { provide: HEALTH_CHECK, useValue: () => Promise.resolve(healthy) },
      ],
    });
    local = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
    await ledger.attach(local);
    replication = TestBed.inject(ReplicationService);
  });

  afterEach(async () => {
    replication.stop();
    ledger.detach();
    await TestBed.inject(LocalDbService).destroy();
    await remote.destroy();
  });

  const state = () => replication.syncStatus().state;

  it('pushes local edits, pulls server docs, and ends up to date', async () => {
    const mine = await saveInspection('Mine');
    await waitFor(() => ledger.pendingIds().has(mine._id), 'the edit to be pending');
    const theirs = { ...mine, _id: newDocId('inspection'), _rev: undefined, title: 'From the server' };
    await remote.put(theirs);

    replication.start(local, ANA.db);
    expect(state()).toBe('connecting');
    await waitFor(() => state() === 'paused', 'up to date');
    await waitFor(() => ledger.pendingCount() === 0, 'nothing pending');

    expect((await remote.get<Inspection>(mine._id)).title).toBe('Mine');
    expect((await local.get<Inspection>(theirs._id)).title).toBe('From the server');
    expect(replication.syncStatus().lastSyncedAt).not.toBeNull();
  });

  it('never sends local design docs to the server', async () => {
    replication.start(local, ANA.db);
    await saveInspection('Any');
    await waitFor(() => state() === 'paused' && ledger.pendingCount() === 0, 'up to date');
    const designDocs = await remote.allDocs({ startkey: '_design/', endkey: '_design/\uffff' });
    expect(designDocs.rows).toEqual([]);
  });

  it('records a server refusal as a rejected doc with its reason', async () => {
    const bulkDocs = remote.bulkDocs.bind(remote);
    // Stand in for CouchDB's validate_doc_update refusing the doc.
    spyOn(remote, 'bulkDocs').and.callFake((async (request: { docs: Inspection[] }, options: object) => {
      const refused = request.docs.filter((doc) => doc.title === 'Refused');
      const accepted = request.docs.filter((doc) => doc.title !== 'Refused');
      const written = accepted.length ? await bulkDocs({ docs: accepted, new_edits: false } as never, options as never) : [];
      return [
        ...(written as object[]),
        ...refused.map((doc) => ({ id: doc._id, error: 'forbidden', name: 'forbidden', status: 403, reason: 'site: must be a real site' })),
      ];
    }) as never);
    const refused = await saveInspection('Refused');
    const accepted = await saveInspection('Accepted');

    replication.start(local, ANA.db);
    await waitFor(() => !!ledger.rejections()[refused._id], 'the refusal');
    await waitFor(() => state() === 'paused' && ledger.pendingCount() === 0, 'up to date');

    expect(ledger.rejections()[refused._id]).toEqual(jasmine.objectContaining({ rev: refused._rev, reason: 'site: must be a real site' }));
    expect(ledger.rejections()[accepted._id]).toBeUndefined();
    expect(ledger.unsyncedCount()).toBe(1);
  });

  it('reports an expired session on 401 and stops until resumed', async () => {
    let answer = 401;
    const fetchStub = jasmine.createSpy('fetch').and.callFake(async () =>
      answer === 401
        ? new Response(JSON.stringify({ error: 'unauthorized', reason: 'Session expired' }), {
            status: 401,
            headers: { 'Content-Type': 'application/json' },
          })
        : fetch('data:application/json,{}'),
    );
    remoteFactory = () => new PouchDB<object>('http://fieldbook.test/db/userdb-616e61', { fetch: fetchStub, skip_setup: true });

    // Timers are fake from the start, so a retry scheduled on the 401 would be one of them.
    jasmine.clock().install();
    try {
      replication.start(local, ANA.db);
      await firstValueFrom(replication.status$.pipe(filter((status) => status.sessionExpired)));
      expect(state()).toBe('error');
      const starts = spyOn(TestBed.inject(InitialPullService), 'ensure').and.callThrough();
      jasmine.clock().tick(10 * 60_000);
      expect(starts).not.toHaveBeenCalled();
    } finally {
      jasmine.clock().uninstall();
    }

    answer = 200;
    remoteFactory = () => remote;
    replication.resume();
    expect(replication.syncStatus().sessionExpired).toBeFalse();
    await waitFor(() => state() === 'paused', 'up to date after re-login');
  });

  it('drops a restart it had scheduled when the session expires meanwhile', async () => {
    const live = { push: new FakeReplication(), pull: new FakeReplication() };
    const replicator = TestBed.inject(ReplicatorService);
    spyOn(replicator, 'livePush').and.returnValue(live.push.asReplication());
    spyOn(replicator, 'livePull').and.returnValue(live.pull.asReplication());
    const starts = spyOn(TestBed.inject(InitialPullService), 'ensure').and.resolveTo();

    replication.start(local, ANA.db);
    await waitFor(() => live.push.listening() && live.pull.listening(), 'the live replications');
    // From here timers are fake: the restart the push's failure schedules is one of them.
    jasmine.clock().install();
    try {
      live.push.emit('error', { status: 500, name: 'unknown_error', message: 'Internal Server Error' });
      live.pull.emit('error', { status: 401, name: 'unauthorized', message: 'Session expired' });
      expect(replication.syncStatus().sessionExpired).toBeTrue();
      jasmine.clock().tick(10 * 60_000);
      expect(starts).toHaveBeenCalledTimes(1);
    } finally {
      jasmine.clock().uninstall();
    }
  });

  it('is offline when the server cannot be reached, and syncs when it comes back', async () => {
    healthy = false;
    const unreachable = jasmine.createSpy('fetch').and.rejectWith(new TypeError('Failed to fetch'));
    remoteFactory = () => new PouchDB<object>('http://fieldbook.test/db/userdb-616e61', { fetch: unreachable, skip_setup: true });
    const doc = await saveInspection('Written offline');

    replication.start(local, ANA.db);
    await waitFor(() => state() === 'offline', 'offline');

    healthy = true;
    remoteFactory = () => remote;
    window.dispatchEvent(new Event('online'));
    await waitFor(() => state() === 'paused' && ledger.pendingCount() === 0, 'synced after reconnecting', 15_000);
    expect((await remote.get<Inspection>(doc._id)).title).toBe('Written offline');
  });

  it('starts again at once when back in range, even while an attempt made out of range still hangs', async () => {
    healthy = false;
    const hanging = jasmine.createSpy('fetch').and.returnValue(new Promise<Response>(() => undefined));
    remoteFactory = () => new PouchDB<object>('http://fieldbook.test/db/userdb-616e61', { fetch: hanging, skip_setup: true });
    const doc = await saveInspection('Written out of range');

    replication.start(local, ANA.db);
    await waitFor(() => state() === 'offline' && hanging.calls.count() > 0, 'offline with a request hanging');

    healthy = true;
    remoteFactory = () => remote;
    window.dispatchEvent(new Event('online'));
    await waitFor(() => state() === 'paused' && ledger.pendingCount() === 0, 'synced after reconnecting');
    expect((await remote.get<Inspection>(doc._id)).title).toBe('Written out of range');
  });

  it('starts again when back in range while a push waits on a request sent before the network went', async () => {
    const bulkDocs = remote.bulkDocs.bind(remote);
    // The first push batch goes into a connection that dies: no answer ever comes.
    const pushes: jasmine.Spy = spyOn(remote, 'bulkDocs').and.callFake(((...args: Parameters<typeof bulkDocs>) =>
      pushes.calls.count() === 1 ? new Promise(() => undefined) : bulkDocs(...args)) as never);
    const doc = await saveInspection('Sent as the network went');

    replication.start(local, ANA.db);
    await waitFor(() => state() === 'syncing' && pushes.calls.count() === 1, 'the push waiting on its request');
    window.dispatchEvent(new Event('offline'));
    expect(state()).toBe('offline');

    window.dispatchEvent(new Event('online'));
    await waitFor(() => state() === 'paused' && ledger.pendingCount() === 0, 'synced after reconnecting');
    expect((await remote.get<Inspection>(doc._id)).title).toBe('Sent as the network went');
  });

  it("resumes a device's first pull when back in range, although a request of the pull cut short never answered", async () => {
    const theirs = {
      _id: newDocId('inspection'),
      ...inspectionFields({ title: 'From the server', site: 'Depot 4', scheduledFor: '2026-03-02', checklist: [] }),
    };
    await remote.put(theirs);
    // The first attempt's server goes silent: its requests end only when the attempt gives up on them.
    const attempts: (AbortSignal | undefined)[] = [];
    remoteFactory = (userDb, ended) => {
      attempts.push(ended);
      const silent = () =>
        new Promise<Response>((_, reject) => ended?.addEventListener('abort', () => reject(new TypeError('Failed to fetch'))));
      return attempts.length === 1
        ? new PouchDB<object>(`http://fieldbook.test/db/${userDb}`, { fetch: silent, skip_setup: true })
        : remote;
    };

    replication.start(local, ANA.db);
    await waitFor(() => state() === 'syncing', 'the first pull under way');
    window.dispatchEvent(new Event('offline'));
    window.dispatchEvent(new Event('online'));
    await waitFor(() => state() === 'paused', 'up to date after reconnecting');
    expect((await local.get<Inspection>(theirs._id)).title).toBe('From the server');
    expect(attempts[0]?.aborted).toBeTrue();
  });

  it('drops "cannot be reached" once the server is back in range, while it syncs again', async () => {
    healthy = false;
    const unreachable = jasmine.createSpy('fetch').and.rejectWith(new TypeError('Failed to fetch'));
    remoteFactory = () => new PouchDB<object>('http://fieldbook.test/db/userdb-616e61', { fetch: unreachable, skip_setup: true });
    await saveInspection('Written offline');
    replication.start(local, ANA.db);
    await waitFor(() => state() === 'offline' && replication.syncStatus().lastError === UNREACHABLE_MESSAGE, 'offline');

    // Back in range; the push takes its time.
    spyOn(remote, 'bulkDocs').and.returnValue(new Promise(() => undefined) as never);
    healthy = true;
    remoteFactory = () => remote;
    window.dispatchEvent(new Event('online'));
    await waitFor(() => state() === 'syncing', 'syncing again');
    expect(replication.syncStatus().lastError).toBeNull();
  });

  it('goes offline at once on the browser offline event', async () => {
    replication.start(local, ANA.db);
    await waitFor(() => state() === 'paused', 'up to date');
    window.dispatchEvent(new Event('offline'));
    expect(state()).toBe('offline');
  });
});

/** A live replication the test drives: it emits what the test says, when the test says. */
class FakeReplication {
  private readonly listeners = new Map<string, ((value: unknown) => void)[]>();

  listening(): boolean {
    return this.listeners.size > 0;
  }

  emit(event: string, value?: unknown): void {
    for (const listener of this.listeners.get(event) ?? []) listener(value);
  }

  asReplication(): Replication {
    const replication = {
      on: (event: string, listener: (value: unknown) => void) => {
        this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
        return replication;
      },
      cancel: () => this.listeners.clear(),
    };
    return replication as unknown as Replication;
  }
}
