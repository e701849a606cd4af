import { TestBed } from '@angular/core/testing';
import { LocalDbService } from '../core/local-db.service';
import { auditIdRange } from '../../../domain/audit-entry';
import { AuditEntry, Inspection, InspectionStatus, PhotoDoc } from '../../../domain/doc-types';
import { Database } from '../core/pouchdb';
import { ANA, FakeSessions, fakeSessions, imageSize, provideTestData, waitFor } from '../testing/test-support';
import { DefectStoreService, photosOf } from './defect-store.service';
import { InspectionStoreService } from './inspection-store.service';
import { purgeDoc } from './purge-doc';

async function cameraImage(width: number, height: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#888';
  context.fillRect(0, 0, width, height);
  return canvas.convertToBlob({ type: 'image/png' });
}

describe('DefectStoreService', () => {
  let db: Database;
  let defects: DefectStoreService;
  let inspectionId: string;
  let sessions: FakeSessions;

  beforeEach(async () => {
    sessions = fakeSessions();
    TestBed.configureTestingModule({ providers: provideTestData(sessions) });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    defects = TestBed.inject(DefectStoreService);
    inspectionId = (await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' }))
      ._id;
  });

  afterEach(async () => {
    await TestBed.inject(LocalDbService).destroy();
  });

  it("lists an inspection's defects, most severe first, through the inspection index", async () => {
    await defects.create(inspectionId, { title: 'Scuff', severity: 1, status: 'open' });
    await defects.create(inspectionId, { title: 'Leak', severity: 4, status: 'open' });
    const other = await TestBed.inject(InspectionStoreService).create({ title: 'Other', site: 'X', scheduledFor: '2026-03-02' });
    await defects.create(other._id, { title: 'Elsewhere', severity: 5, status: 'open' });

    const find = spyOn(db, 'find').and.callThrough();
    const list = await defects.forInspection(inspectionId);
    expect(list.map((defect) => defect.title)).toEqual(['Leak', 'Scuff']);
    const explained = await (db as unknown as { explain(q: object): Promise<{ index: { ddoc: string } }> }).explain(
      find.calls.mostRecent().args[0] as object,
    );
    expect(explained.index.ddoc).toBe('_design/idx-inspection');
  });

  it('refuses a severity outside 1 to 5', async () => {
    await expectAsync(defects.create(inspectionId, { title: 'Leak', severity: 7 as never, status: 'open' })).toBeRejectedWith(
      jasmine.objectContaining({ errors: { severity: 'must be a whole number from 1 to 5' } }),
    );
  });

  it('keeps the thumbnail on the defect and the downscaled photo in a photo document, both JPEG', async () => {
    const defect = await defects.create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    const { ref, rev } = await defects.addPhoto(defect, await cameraImage(2000, 1500));

    const stored = await defects.get(defect._id);
    expect(photosOf(stored)).toEqual([ref]);
    expect(stored._rev).toBe(rev);
    expect(Object.keys(stored._attachments!)).toEqual([ref.thumb]);
    expect(ref.full).toEqual({ docId: `photo:${defect._id}:${ref.thumb.slice('thumb-'.length)}`, name: 'full' });
    const photo = await db.get<PhotoDoc>(ref.full.docId);
    expect(photo).toEqual(jasmine.objectContaining({ type: 'photo', defectId: defect._id, createdBy: 'ana' }));
    expect((photo._attachments!['full'] as { content_type: string }).content_type).toBe('image/jpeg');
    expect(await imageSize(await defects.attachment(ref.full.docId, ref.full.name))).toEqual({ width: 1600, height: 1200 });
    expect(await imageSize(await defects.attachment(defect._id, ref.thumb))).toEqual({ width: 320, height: 240 });
    expect(stored.updatedBy).toBe('ana');
  });

  it('creates a defect with photos picked before its first save: thumbnails on it, photo documents beside it', async () => {
    const prepared = await defects.preparePhoto(await cameraImage(400, 300));
    const defect = await defects.create(inspectionId, { title: 'Leak', severity: 3, status: 'open' }, [prepared]);
    const [ref] = photosOf(await defects.get(defect._id));
    expect(ref.thumb).toBe(`thumb-${prepared.stem}`);
    expect(await imageSize(await defects.attachment(ref.full.docId, ref.full.name))).toEqual({ width: 400, height: 300 });
  });

  it('reads a defect from before photos on demand with its photo inline', () => {
    const old = { _id: 'defect:1', _attachments: { 'photo-a.jpg': {}, 'thumb-a.jpg': {} } };
    expect(photosOf(old)).toEqual([{ thumb: 'thumb-a.jpg', full: { docId: 'defect:1', name: 'photo-a.jpg' } }]);
  });

  it('keeps photos in the order taken and removes one with its thumbnail', async () => {
    const defect = await defects.create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    const first = await defects.addPhoto(defect, await cameraImage(100, 100));
    // Photo names carry the time taken, in milliseconds.
    const taken = Date.now();
    await waitFor(() => Date.now() > taken, 'the next millisecond');
    const second = await defects.addPhoto({ _id: defect._id, _rev: first.rev }, await cameraImage(100, 100));
    expect(photosOf(await defects.get(defect._id))).toEqual([first.ref, second.ref]);

    await defects.removePhoto({ _id: defect._id, _rev: second.rev }, first.ref);
    const after = await defects.get(defect._id);
    expect(photosOf(after)).toEqual([second.ref]);
    expect(Object.keys(after._attachments!)).toEqual([second.ref.thumb]);
    // The removed photo's document is deleted with it; the other stays.
    await expectAsync(db.get(first.ref.full.docId)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
    expect((await db.get(second.ref.full.docId))._id).toBe(second.ref.full.docId);
  });

  it('removes a photo that "Free space" takes off the device meanwhile: saved, with its audit entry', async () => {
    const defect = await defects.create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    const { ref, rev } = await defects.addPhoto(defect, await cameraImage(100, 100));
    // The photo cache purges the (synced) photo right after the removal read it.
    const get = db.get.bind(db) as (...args: unknown[]) => Promise<unknown>;
    let purged: Promise<boolean> | null = null;
    spyOn(db, 'get').and.callFake(((...args: unknown[]) => {
      if (args[0] !== ref.full.docId || args.length !== 1 || purged) return get(...args);
      return get(...args).then(async (doc) => {
        await (purged = purgeDoc(db, ref.full.docId));
        return doc;
      });
    }) as unknown as typeof db.get);

    const removed = await defects.removePhoto({ _id: defect._id, _rev: rev }, ref);
    expect(await purged)
      .withContext('the photo purged meanwhile')
      .toBeTrue();
    const after = await defects.get(defect._id);
    expect(after._rev).toBe(removed);
    expect(photosOf(after)).toEqual([]);
    const entries = (await db.allDocs({ ...auditIdRange(defect._id), include_docs: true })).rows.map((row) => row.doc as AuditEntry);
    // The creation's, the photo's, and the removal's, made on the revision it replaced.
    expect(entries.length).toBe(3);
    expect(entries.filter((entry) => entry.baseRev === rev).length)
      .withContext("the removal's entry")
      .toBe(1);
  });

  it('deletes the photo documents with their defect', async () => {
    const defect = await defects.create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    const { ref, rev } = await defects.addPhoto(defect, await cameraImage(100, 100));
    await defects.remove({ ...defect, _rev: rev });
    await expectAsync(db.get(defect._id)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
    await expectAsync(db.get(ref.full.docId)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
  });

  /** The inspection as a submission or a supervisor's review leaves it. */
  async function setStatus(status: InspectionStatus): Promise<void> {
    await db.put({ ...(await db.get<Inspection>(inspectionId)), status });
  }

  it("copies a submitted inspection's status onto a new defect, so the rules keep it read-only", async () => {
    await setStatus('submitted');
    const defect = await defects.create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    expect((await defects.get(defect._id)).inspectionStatus).toBe('submitted');
    await expectAsync(defects.update(defect, { title: 'Leak at the valve' })).toBeRejectedWith(
      jasmine.objectContaining({
        errors: { inspectionStatus: 'the defects of a submitted inspection are read-only until a supervisor rejects it' },
      }),
    );
  });

  it("copies an approved inspection's status for a supervisor, and none of an open one", async () => {
    sessions.set({ name: 'sam', roles: ['supervisor'], db: ANA.db });
    await setStatus('approved');
    expect((await defects.create(inspectionId, { title: 'Leak', severity: 3, status: 'open' })).inspectionStatus).toBe('approved');
    // An inspector may not write `rejected`; no copy means open.
    sessions.set(ANA);
    await setStatus('rejected');
    expect((await defects.create(inspectionId, { title: 'Crack', severity: 2, status: 'open' })).inspectionStatus).toBeUndefined();
  });
});
