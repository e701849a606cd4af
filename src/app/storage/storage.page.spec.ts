import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { newPhotoDoc } from '../../../domain/photo-doc';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { StorageService, formatBytes } from '../core/storage.service';
import { StorageWarningService } from './storage-warning.service';
import { DefectStoreService } from '../data/defect-store.service';
import { DraftStore } from '../drafts/draft-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { PhotoCacheService } from '../photos/photo-cache.service';
import { fakeServer } from '../testing/conflict-fixtures';
import { ANA, fakeSessions, provideTestData, uniqueDbPrefix, waitFor } from '../testing/test-support';
import { ARCHIVE_STORAGE, StorageUsageService } from './storage-usage.service';
import { StoragePage } from './storage.page';

async function image(width: number, height: number): Promise<Blob> {
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext('2d')!.fillRect(0, 0, width, height);
  return canvas.convertToBlob({ type: 'image/png' });
}

describe('StoragePage', () => {
  let db: Database;
  let servers: ReturnType<typeof fakeServer>;
  let ledger: PushLedgerService;
  let storage: jasmine.SpyObj<StorageService>;
  let fixture: ComponentFixture<StoragePage>;

  beforeEach(async () => {
    const prefix = uniqueDbPrefix();
    servers = fakeServer(prefix);
    storage = jasmine.createSpyObj<StorageService>('StorageService', ['report']);
    storage.report.and.resolveTo({ usage: 10, quota: 100, persisted: false });
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(fakeSessions(), prefix),
        provideRouter([]),
        { provide: StorageService, useValue: storage },
        { provide: REMOTE_DB_FACTORY, useValue: servers.open },
        { provide: ARCHIVE_STORAGE, useValue: async () => 4096 },
      ],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
    await ledger.attach(db);
  });

  afterEach(async () => {
    fixture?.destroy();
    ledger.detach();
    await TestBed.inject(LocalDbService).destroy();
    await servers.destroy();
  });

  const one = (id: string) => fixture.nativeElement.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      fixture.detectChanges();
      return condition();
    }, what);
  }

  function open(): Promise<void> {
    fixture = TestBed.createComponent(StoragePage);
    return until(() => !!one('usage-records'), 'the figures');
  }

  /** A colleague's photo of 3,000 bytes, opened here: fetched from the server and kept. */
  async function colleaguesPhotoOpened(defectId: string): Promise<{ _id: string }> {
    const theirs = newPhotoDoc({ defectId, createdBy: 'ana', createdAt: '2026-03-01T08:00:00.000Z', deviceId: 'tablet-b' }, 'theirs.jpg', {
      content_type: 'image/jpeg',
      data: new Blob([new Uint8Array(3000)], { type: 'image/jpeg' }),
    });
    await servers.open(ANA.db).put(theirs as PouchDB.Core.PutDocument<object>);
    await TestBed.inject(PhotoCacheService).read({ docId: theirs._id, name: 'full' });
    return theirs;
  }

  it('shows usage by kind, and frees the photos the server has while the one taken here and not pushed stays', async () => {
    const inspection = await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    const defects = TestBed.inject(DefectStoreService);
    const defect = await defects.create(inspection._id, { title: 'Leak', severity: 3, status: 'open' });
    const { ref: own } = await defects.addPhoto(defect, await image(640, 480));
    await waitFor(() => ledger.pendingIds().has(own.full.docId), 'the photo taken here pending');
    const theirs = await colleaguesPhotoOpened(defect._id);

    await open();
    const ownBytes = ((await db.getAttachment(own.full.docId, 'full')) as Blob).size;
    const thumbBytes = ((await db.getAttachment(defect._id, own.thumb)) as Blob).size;
    const bytes = (id: string) => one(id)!.textContent!.trim();
    expect(bytes('usage-photos')).toBe(format(ownBytes + 3000));
    expect(bytes('usage-thumbnails')).toBe(format(thumbBytes));
    expect(bytes('usage-archive')).toBe(format(4096));
    expect(one('usage-records')!.textContent).toMatch(/\d/);
    expect(one('usage-unsynced')!.textContent).toContain(format(ownBytes));
    expect(one('storage-warning')).toBeNull();

    const lookAgain = spyOn(TestBed.inject(StorageWarningService), 'look').and.callThrough();
    one('free-space')!.click();
    await until(() => !!one('space-freed'), 'space freed');
    expect(one('space-freed')!.textContent).toContain(format(3000));
    // The notice on every page follows at once.
    expect(lookAgain).toHaveBeenCalled();
    await expectAsync(db.get(theirs._id)).toBeRejectedWith(jasmine.objectContaining({ status: 404 }));
    expect((await db.get(own.full.docId))._id).toBe(own.full.docId);
    await until(() => bytes('usage-photos') === format(ownBytes), 'the photos left');
    expect((one('free-space') as HTMLButtonElement).disabled).toBeTrue();
  });

  it('counts the photos of unsaved forms as their own kind, and freeing space keeps them: they are the only copy', async () => {
    const inspection = await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    const drafts = TestBed.inject(DraftStore);
    const key = `new-defect:${inspection._id}`;
    const draft = { values: { title: 'Leak' }, inspectionId: inspection._id, savedAt: '2026-03-01T08:00:00.000Z' };
    // Kept as base64 (4 characters for 3 bytes): 4000 + 400 and 8000 + 800 characters.
    const photo = (bytes: number, stem: string) => ({
      stem,
      photo: new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }),
      thumb: new Blob([new Uint8Array(bytes / 10)], { type: 'image/jpeg' }),
    });
    await drafts.keepPhoto(key, photo(3000, 'p1'), draft);
    await drafts.keepPhoto(key, photo(6000, 'p2'), draft);
    // Something to free.
    const defect = await TestBed.inject(DefectStoreService).create(inspection._id, { title: 'Crack', severity: 2, status: 'open' });
    await colleaguesPhotoOpened(defect._id);

    await open();
    const bytes = (id: string) => one(id)!.textContent!.trim();
    expect(bytes('usage-draft-photos')).toBe(format(4400 + 8800));
    expect(bytes('usage-photos')).toBe(format(3000));

    const lookAgain = spyOn(TestBed.inject(StorageWarningService), 'look').and.callThrough();
    one('free-space')!.click();
    await until(() => !!one('space-freed'), 'space freed');
    expect(one('space-freed')!.textContent).toContain(format(3000));
    // The notice on every page follows at once.
    expect(lookAgain).toHaveBeenCalled();
    await until(() => bytes('usage-photos') === format(0), 'the photos left');
    expect(bytes('usage-draft-photos')).toBe(format(4400 + 8800));
    expect((await drafts.readPhotos((await drafts.get(key))!)).map(({ stem }) => stem)).toEqual(['p1', 'p2']);

    // One dropped from its form: no longer counted.
    await drafts.dropPhotos(key, ['p1'], () => false);
    fixture.destroy();
    await open();
    expect(bytes('usage-draft-photos')).toBe(format(8800));
  });

  it('shows the drafts of records deleted elsewhere, which no page opens any more, with their text, and discards them', async () => {
    const inspections = TestBed.inject(InspectionStoreService);
    const drafts = TestBed.inject(DraftStore);
    const gone = await inspections.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    const kept = await inspections.create({ title: 'Stairs', site: 'Depot 4', scheduledFor: '2026-03-03' });
    const typed = (title: string, inspectionId: string) => ({
      values: { title, description: 'Water under the north window' },
      inspectionId,
      savedAt: '2026-03-02T10:42:00.000Z',
    });
    await drafts.put(`new-defect:${gone._id}`, typed('Cracked tile', gone._id));
    await drafts.put(`new-defect:${kept._id}`, typed('Loose rail', kept._id));
    // Deleted on another tablet, the deletion pulled.
    await db.remove(await db.get(gone._id));

    await open();
    await until(
      () => fixture.nativeElement.querySelectorAll('[data-testid="orphan-draft"]').length === 1,
      'the draft of the deleted inspection',
    );
    expect(one('orphan-draft')!.textContent).toContain('Cracked tile');
    expect(one('orphan-draft')!.textContent).toContain('Water under the north window');
    expect(one('orphan-draft')!.textContent).not.toContain('Loose rail');

    one('discard-orphan-draft')!.click();
    await until(() => !one('orphan-draft'), 'the draft discarded');
    expect(await drafts.get(`new-defect:${gone._id}`)).toBeNull();
    expect(await drafts.get(`new-defect:${kept._id}`)).not.toBeNull();
  });

  it('warns from 80 % of the quota on', async () => {
    storage.report.and.resolveTo({ usage: 85, quota: 100, persisted: true });
    await open();
    await until(() => !!one('storage-warning'), 'the warning');
    expect(one('storage-warning')!.textContent).toContain('85%');
  });

  it('says storage use could not be read instead of waiting for it, and still shows the quota', async () => {
    spyOn(TestBed.inject(StorageUsageService), 'usage').and.rejectWith(
      new DOMException('The quota has been exceeded.', 'QuotaExceededError'),
    );
    fixture = TestBed.createComponent(StoragePage);

    await until(() => !!one('usage-error'), 'the error');
    expect(one('usage-error')!.getAttribute('role')).toBe('alert');
    expect(one('usage-error')!.textContent).toContain('could not be read');
    expect(fixture.nativeElement.querySelector('mat-progress-bar[mode="indeterminate"]')).toBeNull();
    expect(one('storage-usage')!.textContent).toContain(format(100));
  });

  it('says so when space could not be freed, and the page stays usable', async () => {
    const photos = TestBed.inject(PhotoCacheService);
    spyOn(photos, 'dropSynced').and.rejectWith(new Error('purge failed'));
    // Something to free, so the action is offered.
    spyOn(TestBed.inject(StorageUsageService), 'usage').and.resolveTo({
      records: 10,
      thumbnails: 0,
      photos: 3000,
      unsyncedPhotos: 0,
      droppable: 3000,
      draftPhotos: 0,
      archive: null,
    });
    await open();

    one('free-space')!.click();
    await until(() => !!one('free-space-error'), 'the failure');
    expect(one('free-space-error')!.getAttribute('role')).toBe('alert');
    expect(one('free-space-error')!.textContent).toContain('could not be freed');
    expect(one('space-freed')).toBeNull();
    await until(() => !(one('free-space') as HTMLButtonElement).disabled, 'the action offered again');
  });
});

const format = (bytes: number) => formatBytes(bytes, 'en-US');
