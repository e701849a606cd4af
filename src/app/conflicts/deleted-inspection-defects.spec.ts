import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { keepLeaf } from '../../../domain/conflicts/conflict-resolution';
import { ArchiveService } from '../archive/archive.service';
import { ArchiveSettingsService } from '../archive/archive-settings.service';
import { ConflictIndexService } from '../core/conflict-index.service';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { Database } from '../core/pouchdb';
import { DefectStoreService, photosOf } from '../data/defect-store.service';
import { DocWriterService } from '../data/doc-writer.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { cameraImage, useTwoTablets } from '../testing/two-tablets';
import { requestsFinished, waitFor } from '../testing/test-support';
import { ConflictResolverService } from './conflict-resolver.service';
import { ConflictStoreService } from './conflict-store.service';
import { DefectRestoreOutcome, DefectRestoreService } from './defect-restore.service';

/** Whether `db`'s winning revision of `id` is live. */
async function liveIn(db: Database, id: string): Promise<boolean> {
  return db.get(id).then(
    () => true,
    () => false,
  );
}

/** The defects noted on `db` as still to come back, or their photos, by id. */
async function waitingIn(db: Database): Promise<object> {
  type Note = { waiting?: object; written?: object };
  const note: Note = await db.get<Note>(LOCAL_DOC_IDS.defectRestore).catch(() => ({}));
  return { ...note.waiting, ...note.written };
}

/**
 * Deleted on this device (with its defects), edited on another meanwhile: the user keeps the edit
 * in the conflict inbox, and so the inspection as it was, defects and their photos included.
 */
describe('An inspection deleted on one device and edited on another', () => {
  // An archive run (which tries again what waits for the server) reads no setting from a server here.
  const tablets = useTwoTablets([{ provide: ArchiveSettingsService, useValue: { refresh: () => Promise.resolve(30) } }]);
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

  /** The edit kept while the server cannot be reached: its defect noted to come back later. */
  async function keptWhileUnreachable() {
    const kept = await deletedHereEditedOnB();
    spyOn(console, 'warn');
    tablets.serverReachable = false;
    await keep(kept.inspectionId, false);
    await waitFor(async () => kept.defectId in (await waitingIn(db)), 'the defect noted');
    return kept;
  }

  /** The edit kept while the server stops answering just after its defect is written again: its photo left to come back later. */
  async function keptUntilTheDefectIsBack() {
    const kept = await deletedHereEditedOnB();
    const warned = spyOn(console, 'warn');
    const writer = TestBed.inject(DocWriterService);
    const restoreDeleted = writer.restoreDeleted.bind(writer);
    spyOn(writer, 'restoreDeleted').and.callFake(async (before, tombstoneRev) => {
      await restoreDeleted(before, tombstoneRev);
      tablets.serverReachable = false;
    });
    await keep(kept.inspectionId, false);
    await waitFor(() => warned.calls.count() > 0, 'its photo given up for now');
    expect(await liveIn(db, kept.defectId)).toBeTrue();
    expect(await liveIn(db, kept.photoId)).toBeFalse();
    expect(Object.keys(await waitingIn(db))).toEqual([kept.defectId]);
    return { ...kept, writes: writer.restoreDeleted as jasmine.Spy };
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

  it('brings back the defects the deletion took once the server answers again, when it did not at the decision', async () => {
    const { inspectionId, defectId, photoId } = await deletedHereEditedOnB();
    const told = spyOn(TestBed.inject(MatSnackBar), 'open');
    spyOn(console, 'warn');
    tablets.serverReachable = false;

    await keep(inspectionId, false);

    await waitFor(() => told.calls.count() > 0, 'the notice');
    expect(told.calls.mostRecent().args[0]).toBe(
      '"Roof" is kept; 1 of the defects deleted with it will come back once the server can be reached.',
    );
    expect(await liveIn(db, defectId)).toBeFalse();
    expect(Object.keys(await waitingIn(db))).toEqual([defectId]);

    tablets.serverReachable = true;
    await TestBed.inject(ArchiveService).archiveNow();

    expect(await liveIn(db, defectId)).toBeTrue();
    expect(await liveIn(db, photoId)).toBeTrue();
    expect(await waitingIn(db)).toEqual({});
  });

  it('lets a defect waiting for the server go without writing it when its inspection is gone again', async () => {
    const { inspectionId, defectId } = await keptWhileUnreachable();

    const inspections = TestBed.inject(InspectionStoreService);
    await inspections.remove(await inspections.get(inspectionId));
    tablets.serverReachable = true;
    await TestBed.inject(ArchiveService).archiveNow();

    expect(await waitingIn(db)).toEqual({});
    expect(await liveIn(db, defectId)).toBeFalse();
  });

  it('lets a defect waiting for the server go without writing it when someone else brought it back meanwhile', async () => {
    const { defectId } = await keptWhileUnreachable();

    // Another tablet writes it again on top of its deletion, and pushes that.
    const [{ ok: tombstone }] = (await server.get(defectId, { open_revs: 'all', revs: true })) as {
      ok: { _rev: string; _revisions: { start: number; ids: string[] } };
    }[];
    const { start, ids } = tombstone._revisions;
    const before = await server.get<Record<string, unknown>>(defectId, { rev: `${start - 1}-${ids[1]}` });
    const { rev: broughtBack } = await server.put({ ...before, _rev: tombstone._rev });
    tablets.serverReachable = true;
    await TestBed.inject(ArchiveService).archiveNow();

    expect(await waitingIn(db)).toEqual({});
    expect(await liveIn(db, defectId))
      .withContext('nothing written here: the pull brings it')
      .toBeFalse();
    expect((await server.get(defectId))._rev).toBe(broughtBack);
  });

  it('brings back the photos of a defect once the server answers again, when it stopped answering after the defect came back', async () => {
    const { defectId, photoId, writes } = await keptUntilTheDefectIsBack();
    const { _rev: broughtBack } = await db.get(defectId);

    tablets.serverReachable = true;
    await TestBed.inject(ArchiveService).archiveNow();

    expect(await liveIn(db, photoId)).toBeTrue();
    expect(await waitingIn(db)).toEqual({});
    expect(writes).toHaveBeenCalledTimes(1);
    const defect = await db.get(defectId, { conflicts: true });
    expect(defect._rev).toBe(broughtBack);
    expect(defect._conflicts).toBeUndefined();
  });

  it('keeps trying the photos of a defect that came back while the server does not answer', async () => {
    const { defectId, photoId } = await keptUntilTheDefectIsBack();

    await TestBed.inject(ArchiveService).archiveNow();

    expect(Object.keys(await waitingIn(db))).toEqual([defectId]);
    tablets.serverReachable = true;
    await TestBed.inject(ArchiveService).archiveNow();
    expect(await liveIn(db, photoId)).toBeTrue();
    expect(await waitingIn(db)).toEqual({});
  });

  it('lets a defect that came back without its photos go without writing it again when it is deleted again', async () => {
    const { defectId, photoId, writes } = await keptUntilTheDefectIsBack();

    const defects = TestBed.inject(DefectStoreService);
    await defects.remove(await defects.get(defectId));
    tablets.serverReachable = true;
    await TestBed.inject(ArchiveService).archiveNow();

    expect(await waitingIn(db)).toEqual({});
    expect(await liveIn(db, defectId)).toBeFalse();
    expect(await liveIn(db, photoId)).toBeFalse();
    expect(writes).toHaveBeenCalledTimes(1);
  });

  it('says how many defects could not come back and how many will once the server can be reached, when some are of each', async () => {
    const { inspectionId } = await deletedHereEditedOnB();
    const outcomes = new Map<string, DefectRestoreOutcome>([
      ['defect:gone', 'lost'],
      ['defect:later', 'waiting'],
      ['defect:later-too', 'waiting'],
    ]);
    spyOn(TestBed.inject(DefectRestoreService), 'keepDefects').and.resolveTo(outcomes);
    const told = spyOn(TestBed.inject(MatSnackBar), 'open');

    await keep(inspectionId, false);

    await waitFor(() => told.calls.count() > 0, 'the notice');
    expect(told.calls.mostRecent().args[0]).toBe(
      '"Roof" is kept, but 1 of the defects deleted with it could not be brought back. 2 others will come back once the server can be reached.',
    );
  });

  it('keeping the deletion leaves the defects deleted', async () => {
    const { inspectionId, defectId } = await deletedHereEditedOnB();

    await keep(inspectionId, true);

    await requestsFinished(db);
    expect(await liveIn(db, inspectionId)).toBeFalse();
    expect(await liveIn(db, defectId)).toBeFalse();
  });
});
