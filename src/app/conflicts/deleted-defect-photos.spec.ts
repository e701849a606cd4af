import { TestBed } from '@angular/core/testing';
import { keepLeaf } from '../../../domain/conflicts/conflict-resolution';
import { ConflictIndexService } from '../core/conflict-index.service';
import { Database, PouchDB } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { DefectStoreService, PhotoRef, photosOf } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { purgeDoc } from '../data/purge-doc';
import { PhotoRestoreService } from '../data/photo-restore.service';
import { PhotoCacheService } from '../photos/photo-cache.service';
import { cameraImage, useTwoTablets } from '../testing/two-tablets';
import { waitFor } from '../testing/test-support';
import { AutoResolverService } from './auto-resolver.service';
import { ConflictResolverService } from './conflict-resolver.service';
import { ConflictStoreService } from './conflict-store.service';

type PhotoState = { rev: string; deleted: boolean; digest?: string };

/** A photo document as `db` has it now: its winning revision, and its image's digest when it is live. */
async function photoIn(db: Database, id: string): Promise<PhotoState | null> {
  const rows = (await db.get(id, { open_revs: 'all' }).catch(() => [])) as { ok?: Record<string, unknown> & { _rev: string } }[];
  const [leaf] = rows.flatMap((row) => (row.ok ? [row.ok] : []));
  if (!leaf) return null;
  const full = (leaf['_attachments'] as Record<string, { digest: string }> | undefined)?.['full'];
  return { rev: leaf._rev, deleted: leaf['_deleted'] === true, ...(full ? { digest: full.digest } : {}) };
}

/**
 * Deleted on one device, edited on another: DefectStoreService.remove deletes the defect's photo
 * documents along with it, and the edit wins (CouchDB prefers a live leaf), or the user keeps it.
 * The defect is back with its thumbnails: its full-size photos must come back with it.
 */
describe('A defect deleted on one device and edited on another', () => {
  const tablets = useTwoTablets();
  let db: Database;
  let server: Database;
  let deviceB: Database;
  let conflictIndex: ConflictIndexService;
  let defects: DefectStoreService;
  const sync = (device: Database) => tablets.sync(device);

  beforeEach(() => {
    ({ db, server, deviceB, conflictIndex } = tablets);
    defects = TestBed.inject(DefectStoreService);
  });

  /** A defect with a photo, taken on this device and synced; device B has the defect, not the photo. */
  async function defectWithPhoto(): Promise<{ id: string; photo: PhotoRef; taken: PhotoState }> {
    const inspection = await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    const prepared = await defects.preparePhoto(await cameraImage('#c33'));
    const { _id: id } = await defects.create(inspection._id, { title: 'Leak', severity: 3, status: 'open' }, [prepared]);
    const [photo] = photosOf(await defects.get(id));
    await sync(db);
    await sync(deviceB);
    return { id, photo, taken: (await photoIn(db, photo.full.docId))! };
  }

  /** Device B's edit of the defect, made while this device deletes it. */
  async function editOnB(id: string): Promise<void> {
    const defect = await deviceB.get<Record<string, unknown>>(id);
    await deviceB.put({ ...defect, title: 'Leak, spreading', updatedAt: '2026-03-01T09:00:00.000Z', deviceId: 'tablet-b' });
  }

  /** Device B's deletion of the defect, with its photo, which B had opened (so it holds it): as DefectStoreService.remove writes it. */
  async function deleteOnB(id: string, photo: PhotoRef): Promise<void> {
    await PouchDB.replicate(server, deviceB, { doc_ids: [photo.full.docId] });
    const defect = await deviceB.get(id);
    const held = await deviceB.get(photo.full.docId);
    await deviceB.bulkDocs([
      { _id: held._id, _rev: held._rev, _deleted: true },
      { _id: id, _rev: defect._rev, _deleted: true, updatedBy: 'ana', updatedAt: '2026-03-01T09:00:00.000Z', deviceId: 'tablet-b' },
    ] as PouchDB.Core.PutDocument<object>[]);
  }

  it('without anyone resolving it: the edit wins, and its photo comes back from the server while the conflict stands', async () => {
    TestBed.inject(AutoResolverService).watch();
    const { id, photo, taken } = await defectWithPhoto();
    await editOnB(id);
    await defects.remove(await defects.get(id));
    // This device compacted the image away with the deletion: only the server has it.
    expect(await photoIn(db, photo.full.docId)).toEqual(jasmine.objectContaining({ deleted: true }));
    await sync(deviceB);
    await sync(db);

    const defect = await defects.get(id);
    expect(defect.title).toBe('Leak, spreading');
    expect(photosOf(defect)).toEqual([photo]);
    await waitFor(async () => (await photoIn(db, photo.full.docId))?.deleted === false, 'the photo back on this device');
    expect((await photoIn(db, photo.full.docId))!.digest).toBe(taken.digest);
    // A local edit, pushed like any other; the conflict waits in the inbox for a person.
    expect(TestBed.inject(PushLedgerService).pendingIds().has(photo.full.docId)).toBeTrue();
    expect(conflictIndex.conflictIds().has(id)).toBeTrue();
    expect((await TestBed.inject(PhotoCacheService).read(photo.full)).size).toBeGreaterThan(0);

    await sync(db);
    expect(await photoIn(server, photo.full.docId)).toEqual(jasmine.objectContaining({ deleted: false, digest: taken.digest }));
  });

  it('the user keeping the edit in the inbox brings its photo back; deleting it there leaves it deleted', async () => {
    const store = TestBed.inject(ConflictStoreService);
    const resolver = TestBed.inject(ConflictResolverService);
    const { id, photo, taken } = await defectWithPhoto();
    await editOnB(id);
    await defects.remove(await defects.get(id));
    await sync(deviceB);
    await sync(db);
    await waitFor(() => conflictIndex.conflictIds().has(id), 'the conflict in the inbox');
    expect(await photoIn(db, photo.full.docId)).toEqual(jasmine.objectContaining({ deleted: true }));

    const loaded = (await store.load(id))!;
    const edit = loaded.merge.leaves.find((leaf) => !leaf._deleted)!;
    expect(await resolver.resolve(loaded.db, keepLeaf(loaded.merge, edit._rev, resolver.mergeStamp()))).toBeTrue();

    expect((await defects.get(id)).title).toBe('Leak, spreading');
    await waitFor(async () => (await photoIn(db, photo.full.docId))?.deleted === false, 'the photo back on this device');
    expect(await photoIn(db, photo.full.docId)).toEqual(jasmine.objectContaining({ deleted: false, digest: taken.digest }));
    await sync(db);
    expect(await photoIn(server, photo.full.docId)).toEqual(jasmine.objectContaining({ deleted: false, digest: taken.digest }));
  });

  it('a deletion chosen in the inbox does not bring the photo back', async () => {
    const store = TestBed.inject(ConflictStoreService);
    const resolver = TestBed.inject(ConflictResolverService);
    const { id, photo } = await defectWithPhoto();
    await editOnB(id);
    await defects.remove(await defects.get(id));
    await sync(deviceB);
    await sync(db);
    await waitFor(() => conflictIndex.conflictIds().has(id), 'the conflict in the inbox');

    const loaded = (await store.load(id))!;
    const deletion = loaded.merge.leaves.find((leaf) => leaf._deleted)!;
    expect(await resolver.resolve(loaded.db, keepLeaf(loaded.merge, deletion._rev, resolver.mergeStamp()))).toBeTrue();

    await expectAsync(defects.get(id)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
    expect(await photoIn(db, photo.full.docId)).toEqual(jasmine.objectContaining({ deleted: true }));
  });

  it('deleted on the other device: the device that took the photo brings it back from its own copy once the server compacted it away', async () => {
    TestBed.inject(AutoResolverService).watch();
    const { id, photo, taken } = await defectWithPhoto();
    await deleteOnB(id, photo);
    await sync(deviceB);
    await server.compact();
    // Meanwhile this device edits the defect offline, then syncs.
    await defects.update(await defects.get(id), { title: 'Leak, spreading' });
    await sync(db);

    expect((await defects.get(id)).title).toBe('Leak, spreading');
    // Until then, this device's copy was the revision the server has deleted.
    const restored = async () => {
      const here = await photoIn(db, photo.full.docId);
      return here?.deleted === false && here.rev !== taken.rev;
    };
    await waitFor(restored, 'the photo written again on top of its deletion');
    expect((await photoIn(db, photo.full.docId))!.digest).toBe(taken.digest);
    await sync(db);
    expect(await photoIn(server, photo.full.docId)).toEqual(jasmine.objectContaining({ deleted: false, digest: taken.digest }));
  });

  it('writes the same revision whichever copy of the image it had, as another device bringing it back would: no new conflict', async () => {
    const restores = TestBed.inject(PhotoRestoreService);
    const { id, photo, taken } = await defectWithPhoto();
    await deleteOnB(id, photo);
    await sync(deviceB);
    await defects.update(await defects.get(id), { title: 'Leak, spreading' });
    await sync(db);

    // From this device's own copy of the image…
    expect((await restores.keepPhotos(await defects.get(id), [{}])).get(photo.full.docId)).toBe('restored');
    const fromOwnCopy = (await photoIn(db, photo.full.docId))!;
    // …and, on a device without it, from the server's.
    expect(await purgeDoc(db, photo.full.docId)).toBeTrue();
    expect((await restores.keepPhotos(await defects.get(id), [{}])).get(photo.full.docId)).toBe('restored');
    const fromServer = (await photoIn(db, photo.full.docId))!;

    expect(fromServer).toEqual(fromOwnCopy);
    expect(fromServer).toEqual(jasmine.objectContaining({ deleted: false, digest: taken.digest }));
    expect((await restores.keepPhotos(await defects.get(id), [{}])).get(photo.full.docId)).toBe('live');
  });

  it('says a photo is lost when no revision of it with its image is left, and writes nothing', async () => {
    const { id, photo } = await defectWithPhoto();
    await editOnB(id);
    await defects.remove(await defects.get(id));
    await sync(deviceB);
    await sync(db);
    await server.compact();
    const warn = spyOn(console, 'warn');

    const outcomes = await TestBed.inject(PhotoRestoreService).keepPhotos(await defects.get(id), [{}]);

    expect(outcomes.get(photo.full.docId)).toBe('lost');
    expect(warn).toHaveBeenCalled();
    expect(await photoIn(db, photo.full.docId)).toEqual(jasmine.objectContaining({ deleted: true }));
  });
});
