import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { keepLeaf } from '../../../domain/conflicts/conflict-resolution';
import { ConflictIndexService } from '../core/conflict-index.service';
import { Database } from '../core/pouchdb';
import { DefectStoreService, photosOf } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { cameraImage, useTwoTablets } from '../testing/two-tablets';
import { requestsFinished, waitFor } from '../testing/test-support';
import { ConflictResolverService } from './conflict-resolver.service';
import { ConflictStoreService } from './conflict-store.service';

/** Whether `db`'s winning revision of `id` is live. */
async function liveIn(db: Database, id: string): Promise<boolean> {
  return db.get(id).then(
    () => true,
    () => false,
  );
}

/**
 * Deleted on this device (with its defects), edited on another meanwhile: the user keeps the edit
 * in the conflict inbox, and so the inspection as it was, defects and their photos included.
 */
describe('An inspection deleted on one device and edited on another', () => {
  const tablets = useTwoTablets();
  let db: Database;
  let server: Database;
  let deviceB: Database;
  let conflictIndex: ConflictIndexService;
  const sync = (device: Database) => tablets.sync(device);

  beforeEach(() => {
    ({ db, server, deviceB, conflictIndex } = tablets);
  });

  /** An inspection with a defect with a photo, synced to both devices, deleted here while device B edits it. */
  async function deletedHereEditedOnB() {
    const inspections = TestBed.inject(InspectionStoreService);
    const defects = TestBed.inject(DefectStoreService);
    const inspection = await inspections.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    const prepared = await defects.preparePhoto(await cameraImage('#3a3'));
    const defect = await defects.create(inspection._id, { title: 'Leak', severity: 3, status: 'open' }, [prepared]);
    const [photo] = photosOf(await defects.get(defect._id));
    await sync(db);
    await sync(deviceB);
    const onB = await deviceB.get<Record<string, unknown>>(inspection._id);
    await deviceB.put({ ...onB, notes: 'Gutter checked too', updatedAt: '2026-03-01T09:00:00.000Z', deviceId: 'tablet-b' });
    await inspections.remove(await inspections.get(inspection._id));
    await sync(deviceB);
    await sync(db);
    await waitFor(() => conflictIndex.conflictIds().has(inspection._id), 'the conflict in the inbox');
    return { inspectionId: inspection._id, defectId: defect._id, photoId: photo.full.docId };
  }

  async function keep(id: string, deleted: boolean): Promise<void> {
    const store = TestBed.inject(ConflictStoreService);
    const resolver = TestBed.inject(ConflictResolverService);
    const loaded = (await store.load(id))!;
    const leaf = loaded.merge.leaves.find((candidate) => !!candidate._deleted === deleted)!;
    expect(await resolver.resolve(loaded.db, keepLeaf(loaded.merge, leaf._rev, resolver.mergeStamp()))).toBeTrue();
  }

  it('keeping the edit brings back the defects the deletion took, with their photos, here and on the server', async () => {
    const { inspectionId, defectId, photoId } = await deletedHereEditedOnB();
    expect(await liveIn(db, defectId)).toBeFalse();

    await keep(inspectionId, false);

    await waitFor(() => liveIn(db, defectId), 'the defect back on this device');
    expect((await TestBed.inject(DefectStoreService).get(defectId)).title).toBe('Leak');
    await waitFor(() => liveIn(db, photoId), 'its photo back on this device');
    await requestsFinished(db);
    await sync(db);
    for (const id of [inspectionId, defectId, photoId])
      expect(await liveIn(server, id))
        .withContext(id)
        .toBeTrue();
  });

  it('says so when a defect the deletion took cannot come back: no revision of it before the deletion is left', async () => {
    const { inspectionId, defectId } = await deletedHereEditedOnB();
    // This device compacted the defect away with its deletion; now the server does too.
    await server.compact();
    const told = spyOn(TestBed.inject(MatSnackBar), 'open');
    const error = spyOn(console, 'error');

    await keep(inspectionId, false);

    await waitFor(() => told.calls.count() > 0, 'the notice');
    expect(told.calls.mostRecent().args[0]).toBe('"Roof" is kept, but 1 of the defects deleted with it could not be brought back.');
    expect(error).not.toHaveBeenCalled();
    expect(await liveIn(db, inspectionId)).toBeTrue();
    expect(await liveIn(db, defectId)).toBeFalse();
  });

  it('keeping the deletion leaves the defects deleted', async () => {
    const { inspectionId, defectId } = await deletedHereEditedOnB();

    await keep(inspectionId, true);

    await requestsFinished(db);
    expect(await liveIn(db, inspectionId)).toBeFalse();
    expect(await liveIn(db, defectId)).toBeFalse();
  });
});
