import { TestBed } from '@angular/core/testing';
import { newPhotoDoc } from '../../../domain/photo-doc';
import { LocalDbService } from '../core/local-db.service';
import { Database, PouchDB } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { abortedWriteError } from '../testing/aborted-write';
import { fakeServer } from '../testing/conflict-fixtures';
import { refuseEveryWrite } from '../testing/refuse-every-write';
import {
  ANA,
  fakeSessions,
  provideTestData,
  requestsFinished,
  trackRequests,
  uniqueDbPrefix,
  unreachableRemote,
  waitFor,
} from '../testing/test-support';
import { PHOTO_CACHE_BUDGET, PhotoCacheService } from './photo-cache.service';
import { PhotoUnavailableError } from './photo-unavailable';

const DEFECT = 'defect:7c9e6679-7425-40de-944b-e07fc1f90ae7';

/** A photo document of `bytes` bytes, as the tablet that took it wrote it. */
function photoDoc(stem: string, bytes: number): PouchDB.Core.PutDocument<object> & { _id: string } {
  return newPhotoDoc(
    {
      defectId: DEFECT,
      createdBy: 'ana',
      createdAt: '2026-03-01T08:00:00.000Z',
      deviceId: 'tablet-a',
    },
    stem,
    { content_type: 'image/jpeg', data: new Blob([new Uint8Array(bytes).fill(stem.length)], { type: 'image/jpeg' }) },
  ) as PouchDB.Core.PutDocument<object> & { _id: string };
}

/** A server database that answers every request with `status`, as the proxy does once the session ended (401) or for a user not allowed (403). */
function refusingRemote(userDb: string, status: 401 | 403) {
  const body = status === 401 ? { error: 'unauthorized', reason: 'Session expired' } : { error: 'forbidden', reason: 'Not allowed' };
  return new PouchDB<object>(`http://fieldbook.test/db/${userDb}`, {
    skip_setup: true,
    fetch: () => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })),
  });
}

const held = (db: Database, id: string) =>
  db.get(id).then(
    () => true,
    () => false,
  );

describe('PhotoCacheService', () => {
  let db: Database;
  let server: Database;
  let servers: ReturnType<typeof fakeServer>;
  let reachable: boolean;
  /** The status the server answers every request with, if it refuses them. */
  let refusal: 401 | 403 | null;
  let ledger: PushLedgerService;
  let photos: PhotoCacheService;

  beforeEach(async () => {
    const prefix = uniqueDbPrefix();
    servers = fakeServer(prefix);
    server = servers.open(ANA.db);
    reachable = true;
    refusal = null;
    TestBed.configureTestingModule({
      providers: [
        provideTestData(fakeSessions(), prefix),
        {
          provide: REMOTE_DB_FACTORY,
          useValue: (userDb: string) =>
            refusal ? refusingRemote(userDb, refusal) : reachable ? servers.open(userDb) : unreachableRemote(userDb),
        },
        // Room for two photos of 1,000 bytes.
        { provide: PHOTO_CACHE_BUDGET, useValue: 2_500 },
      ],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
    await ledger.attach(db);
    photos = TestBed.inject(PhotoCacheService);
  });

  afterEach(async () => {
    ledger.detach();
    await TestBed.inject(LocalDbService).destroy();
    await servers.destroy();
  });

  it('fetches a photo this device does not hold from the server, keeps that revision, and shows it offline afterwards; it is not an unsynced edit', async () => {
    const { rev } = await server.put(photoDoc('a.jpg', 1_000));
    const id = photoDoc('a.jpg', 0)._id;
    expect(await held(db, id)).toBeFalse();

    expect((await photos.read({ docId: id, name: 'full' })).size).toBe(1_000);
    expect((await db.get(id))._rev).toBe(rev);
    expect(ledger.pendingIds().has(id)).toBeFalse();

    reachable = false;
    expect((await photos.read({ docId: id, name: 'full' })).size).toBe(1_000);
    expect(await photos.localPhotos()).toEqual([jasmine.objectContaining({ id, bytes: 1_000, unsynced: false })]);
  });

  it('says why a photo cannot be shown: out of reach, or not on the server yet', async () => {
    const id = photoDoc('a.jpg', 0)._id;
    await expectAsync(photos.read({ docId: id, name: 'full' })).toBeRejectedWith(new PhotoUnavailableError('missing'));
    reachable = false;
    await expectAsync(photos.read({ docId: id, name: 'full' })).toBeRejectedWith(new PhotoUnavailableError('offline'));
  });

  it('says the server refused the photo (session expired, or not allowed), not that the tablet is offline', async () => {
    const id = photoDoc('a.jpg', 0)._id;
    for (const [status, reason] of [
      [401, 'signedOut'],
      [403, 'refused'],
    ] as const) {
      refusal = status;
      await expectAsync(photos.read({ docId: id, name: 'full' })).toBeRejectedWith(new PhotoUnavailableError(reason));
    }
  });

  it('says a photo deleted on the server is gone, not that it is still to come', async () => {
    const deleted = photoDoc('a.jpg', 1_000);
    const { rev } = await server.put(deleted);
    await server.remove(deleted._id, rev);

    await expectAsync(photos.read({ docId: deleted._id, name: 'full' })).toBeRejectedWith(jasmine.objectContaining({ reason: 'deleted' }));
  });

  describe('with the browser storage full', () => {
    const quotaExceeded = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

    /** The first `failures` writes of `id` fetched from the server fail as a full disk does (with `error`). */
    function failWrites(id: string, failures: number, error: () => Error = quotaExceeded): void {
      const bulkDocs = db.bulkDocs.bind(db) as (...args: unknown[]) => Promise<unknown>;
      // PouchDB's own calls (put, with a callback) go through untouched.
      const fetchedWrite = (docs: unknown, options?: { new_edits?: boolean }) =>
        options?.new_edits === false && Array.isArray(docs) && docs.some((doc: { _id: string }) => doc._id === id);
      spyOn(db, 'bulkDocs').and.callFake(((...args: [unknown, { new_edits?: boolean }?]) =>
        fetchedWrite(...args) && failures-- > 0 ? Promise.reject(error()) : bulkDocs(...args)) as unknown as typeof db.bulkDocs);
    }

    let own: ReturnType<typeof photoDoc>;
    let first: ReturnType<typeof photoDoc>;
    let second: ReturnType<typeof photoDoc>;

    beforeEach(async () => {
      own = photoDoc('own.jpg', 1_000);
      await db.put(own);
      await waitFor(() => ledger.pendingIds().has(own._id), 'the photo taken here pending');
      [first, second] = [photoDoc('first.jpg', 1_000), photoDoc('second.jpg', 1_000)];
      await server.bulkDocs([first, second]);
      await photos.read({ docId: first._id, name: 'full' });
    });

    it('drops the synced photos to make room, then keeps the photo; the one not pushed yet stays', async () => {
      failWrites(second._id, 1);

      expect((await photos.read({ docId: second._id, name: 'full' })).size).toBe(1_000);

      expect(await held(db, first._id)).toBeFalse();
      expect(await held(db, second._id)).toBeTrue();
      expect(await held(db, own._id)).toBeTrue();
    });

    it("knows a full storage by the aborted write PouchDB's indexeddb adapter rejects with, and makes room the same way", async () => {
      failWrites(second._id, 1, abortedWriteError);
      spyOn(navigator.storage, 'estimate').and.resolveTo({ usage: 995, quota: 1000 });

      expect((await photos.read({ docId: second._id, name: 'full' })).size).toBe(1_000);

      expect(await held(db, first._id)).toBeFalse();
      expect(await held(db, second._id)).toBeTrue();
    });

    it('shows a photo it holds when noting its use is refused too', async () => {
      trackRequests(db);
      refuseEveryWrite(db);

      expect((await photos.read({ docId: first._id, name: 'full' })).size).toBe(1_000);
      // Noting when it was opened is refused: once that write settles, nothing is left unhandled.
      await requestsFinished(db);
    });

    it('shows a photo it downloaded when keeping it fails for another reason than room (an aborted write with the storage far from full)', async () => {
      failWrites(second._id, 1, abortedWriteError);
      spyOn(navigator.storage, 'estimate').and.resolveTo({ usage: 700, quota: 1000 });

      expect((await photos.read({ docId: second._id, name: 'full' })).size).toBe(1_000);
      // Not kept: opening it again downloads it again.
      expect(await held(db, second._id)).toBeFalse();
    });

    it('shows the photo without keeping it when there is still no room', async () => {
      failWrites(second._id, 2);

      expect((await photos.read({ docId: second._id, name: 'full' })).size).toBe(1_000);

      expect(await held(db, second._id)).toBeFalse();
      expect(await held(db, own._id)).toBeTrue();
    });
  });

  it('keeps fetched photos within the budget, dropping the least recently opened, never one not pushed yet', async () => {
    const own = photoDoc('own.jpg', 1_000);
    await db.put(own);
    await waitFor(() => ledger.pendingIds().has(own._id), 'the photo taken here pending');
    const [first, second] = [photoDoc('first.jpg', 1_000), photoDoc('second.jpg', 1_000)];
    await server.bulkDocs([first, second]);

    await photos.read({ docId: first._id, name: 'full' });
    await photos.read({ docId: second._id, name: 'full' });

    // 3,000 bytes over a 2,500 budget: the oldest fetched goes (purged), the unpushed one stays.
    expect(await held(db, first._id)).toBeFalse();
    expect(await held(db, second._id)).toBeTrue();
    expect(await held(db, own._id)).toBeTrue();
    expect((await db.changes({ since: 0 })).results.map((change) => change.id)).not.toContain(first._id);
  });

  it('keeps the photos opened last when their downloads end together: each judges what to drop from what the others left', async () => {
    const [first, ...opened] = ['first.jpg', 'second.jpg', 'third.jpg', 'fourth.jpg'].map((stem) => photoDoc(stem, 1_000));
    await server.bulkDocs([first, ...opened]);
    await photos.read({ docId: first._id, name: 'full' });

    // Opened one after another on a slow link, the viewer closed each time: the downloads overlap.
    await Promise.all(opened.map((photo) => photos.read({ docId: photo._id, name: 'full' })));

    // Room for two: two of those just opened, not the one opened before.
    const kept = await photos.localPhotos();
    expect(kept.length).toBe(2);
    expect(kept.map((photo) => photo.id)).not.toContain(first._id);
  });

  it('frees space by dropping every photo the server has, keeping those it does not', async () => {
    const own = photoDoc('own.jpg', 700);
    await db.put(own);
    await waitFor(() => ledger.pendingIds().has(own._id), 'the photo taken here pending');
    const fetched = photoDoc('fetched.jpg', 1_000);
    await server.put(fetched);
    await photos.read({ docId: fetched._id, name: 'full' });

    expect(await photos.dropSynced()).toBe(1_000);
    expect(await held(db, fetched._id)).toBeFalse();
    expect(await held(db, own._id)).toBeTrue();
    // Opening it again fetches it again.
    expect((await photos.read({ docId: fetched._id, name: 'full' })).size).toBe(1_000);
  });

  it('keeps a photo removed here while space is freed: its removal stays to sync', async () => {
    const [first, second] = [photoDoc('first.jpg', 1_000), photoDoc('second.jpg', 1_000)];
    await server.bulkDocs([first, second]);
    await photos.read({ docId: first._id, name: 'full' });
    await photos.read({ docId: second._id, name: 'full' });
    const purgeable = db as unknown as { purge(id: string, rev: string): Promise<unknown> };
    const purge = purgeable.purge.bind(db);
    let removed: Promise<unknown> | null = null;
    spyOn(purgeable, 'purge').and.callFake(async (id: string, rev: string) => {
      // While the first goes, the inspector removes the second from its defect.
      removed ??= db.get(second._id).then((doc) => db.remove(doc));
      await removed;
      return purge(id, rev);
    });

    expect(await photos.dropSynced()).toBe(1_000);

    expect(await held(db, first._id)).toBeFalse();
    const [leaf] = (await db.get(second._id, { open_revs: 'all' })) as { ok?: { _deleted?: boolean } }[];
    expect(leaf.ok?._deleted).toBeTrue();
    expect(ledger.pendingIds().has(second._id)).toBeTrue();
  });
});
