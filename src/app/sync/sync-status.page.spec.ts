import { Signal, signal } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { LocalDbService } from '../core/local-db.service';
import { DEVICE_NAME_STORAGE, DeviceNameService } from '../core/device-name.service';
import { ReplicationService } from '../core/replication.service';
import { UNREACHABLE_MESSAGE, syncErrorMessage } from '../core/sync-error-message';
import { SyncStatus } from '../core/sync-state';
import { Database } from '../core/pouchdb';
import { StorageService } from '../core/storage.service';
import { PushLedgerService } from '../core/push-ledger.service';
import { DefectStoreService } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { attachSyncTracking, endSyncTracking } from '../testing/sync-tracking';
import { ANA, fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { SyncStatusPage } from './sync-status.page';

describe('SyncStatusPage', () => {
  let db: Database;
  let ledger: PushLedgerService;
  let fixture: ComponentFixture<SyncStatusPage>;
  let storage: jasmine.SpyObj<StorageService>;
  /** Where the device's name is kept (localStorage in the app). */
  let names: Storage;

  beforeEach(async () => {
    const kept = new Map<string, string>();
    names = {
      getItem: (key: string) => kept.get(key) ?? null,
      setItem: (key: string, value: string) => void kept.set(key, value),
      removeItem: (key: string) => void kept.delete(key),
    } as Storage;
    storage = jasmine.createSpyObj<StorageService>('StorageService', ['report', 'requestPersistence']);
    storage.report.and.resolveTo({ usage: 5 * 1024 * 1024, quota: 2 * 1024 * 1024 * 1024, persisted: false });
    storage.requestPersistence.and.resolveTo(true);
    TestBed.configureTestingModule({
      providers: [
        ...provideTestData(fakeSessions()),
        provideRouter([]),
        { provide: StorageService, useValue: storage },
        { provide: DEVICE_NAME_STORAGE, useFactory: () => names },
      ],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
    await attachSyncTracking(db);
  });

  afterEach(async () => {
    TestBed.inject(ReplicationService).stop();
    fixture?.destroy();
    await endSyncTracking(db);
  });

  const all = (id: string) => Array.from(fixture.nativeElement.querySelectorAll(`[data-testid="${id}"]`)) as HTMLElement[];
  const one = (id: string) => all(id)[0];

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      return condition();
    }, what);
  }

  it('lists pending writes and refused ones with the reason and a way to fix them', async () => {
    const inspections = TestBed.inject(InspectionStoreService);
    const roof = await inspections.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    const defect = await TestBed.inject(DefectStoreService).create(roof._id, { title: 'Leak', severity: 3, status: 'open' });
    await waitFor(() => ledger.pendingCount() === 2, 'two pending');
    await ledger.pushCheckpoint((await db.info()).update_seq);
    await ledger.rejected(defect._id, 'location: must be on the site plan');
    await inspections.create({ title: 'Boiler', site: 'Depot 4', scheduledFor: '2026-03-03' });

    fixture = TestBed.createComponent(SyncStatusPage);
    await until(() => all('pending-item').length === 1 && all('rejected-item').length === 1, 'both lists');
    expect(one('pending-count').textContent).toBe('1');
    expect(one('pending-item').textContent).toContain('Inspection: Boiler');
    expect(one('rejected-item').textContent).toContain('Defect: Leak');
    expect(one('rejected-item').textContent).toContain('Location: must be on the site plan');
    expect(one('edit-and-retry').getAttribute('href')).toBe(`/inspections/${roof._id}/defects/${defect._id}`);
  });

  it('names a full-size photo waiting to upload after its defect, with a link to the defect', async () => {
    const roof = await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    const jpeg = (text: string) => new Blob([text], { type: 'image/jpeg' });
    const defect = await TestBed.inject(DefectStoreService).create(roof._id, { title: 'Leak', severity: 3, status: 'open' }, [
      { stem: '000000001-a.jpg', photo: jpeg('photo'), thumb: jpeg('thumb') },
    ]);
    await waitFor(() => ledger.pendingCount() === 3, 'inspection, defect and photo pending');

    fixture = TestBed.createComponent(SyncStatusPage);
    await until(() => all('pending-item').length === 3, 'the pending list');
    const photo = all('pending-item').find((item) => item.textContent?.includes('Full-size photo of defect: Leak'));
    expect(photo?.querySelector('a')?.getAttribute('href')).toBe(`/inspections/${roof._id}/defects/${defect._id}`);
  });

  it('says being offline in neutral words, as a normal state and not as a problem', async () => {
    // The test remote rejects every request as a browser without network does ("Failed to fetch").
    TestBed.inject(ReplicationService).start(db, ANA.db);
    fixture = TestBed.createComponent(SyncStatusPage);
    await until(
      () => !!one('sync-offline') && TestBed.inject(ReplicationService).syncStatus().lastError === UNREACHABLE_MESSAGE,
      'offline',
    );
    expect(one('sync-offline').textContent?.trim()).toBe("Offline — changes are kept on this device and sync when you're back online");
    expect(one('sync-offline').classList).not.toContain('error');
    expect(one('sync-last-error')).toBeUndefined();
  });

  it('keeps real problems highlighted: a server error, and a refusal also while offline', async () => {
    const status = signal<SyncStatus>({
      state: 'error',
      sessionExpired: false,
      lastError: syncErrorMessage({ status: 500 }),
      lastSyncedAt: null,
    });
    (TestBed.inject(ReplicationService) as { syncStatus: Signal<SyncStatus> }).syncStatus = status;
    fixture = TestBed.createComponent(SyncStatusPage);
    await until(() => !!one('sync-last-error'), 'the last problem');
    expect(one('sync-last-error').textContent).toContain('Last problem: The server had a problem (500).');
    expect(one('sync-last-error').classList).toContain('error');
    expect(one('sync-offline')).toBeUndefined();

    const refused = syncErrorMessage({ status: 403, reason: 'user disabled' });
    status.set({ state: 'offline', sessionExpired: false, lastError: refused, lastSyncedAt: null });
    await until(() => !!one('sync-offline'), 'offline');
    expect(one('sync-last-error').textContent).toBe(`Last problem: ${refused}`);
  });

  it('names this device: a short id until the user gives it a name, kept on the device', async () => {
    fixture = TestBed.createComponent(SyncStatusPage);
    await fixture.whenStable();
    expect(one('device-name').textContent).toBe('Device test');
    one('device-name-edit').click();
    await fixture.whenStable();
    const input = one('device-name-input') as HTMLInputElement;
    input.value = '  Tablet 3 ';
    one('device-name-save').click();
    await fixture.whenStable();
    expect(one('device-name').textContent).toBe('Tablet 3');
    expect(names.getItem('fieldbook.deviceName')).toBe('Tablet 3');
    expect(TestBed.inject(DeviceNameService).name()).toBe('Tablet 3');
  });

  it('counts conflicts and links to the inbox', async () => {
    const roof = await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    await db.bulkDocs([{ ...roof, _rev: '1-ffffffffffffffffffffffffffffffff', title: 'Other' }], { new_edits: false });
    fixture = TestBed.createComponent(SyncStatusPage);
    await until(() => one('conflict-count')?.textContent === '1', 'the conflict count');
    expect(one('open-conflicts').getAttribute('href')).toBe('/conflicts');
  });

  it('shows storage use and asks for persistent storage', async () => {
    fixture = TestBed.createComponent(SyncStatusPage);
    await until(() => !!one('storage-usage'), 'storage');
    expect(one('storage-usage').textContent).toContain('5.0 MB used of 2.0 GB');
    storage.report.and.resolveTo({ usage: 1, quota: 2, persisted: true });
    one('persist-storage').click();
    await until(() => !!one('storage-persisted'), 'persisted');
    expect(storage.requestPersistence).toHaveBeenCalled();
  });

  it('says so when the browser declines persistent storage, rather than staying as it was', async () => {
    storage.requestPersistence.and.resolveTo(false);
    fixture = TestBed.createComponent(SyncStatusPage);
    await until(() => !!one('persist-storage'), 'the button');
    expect(fixture.nativeElement.querySelector('[data-testid=persist-refused]')).toBeNull();
    one('persist-storage').click();
    await until(() => !!fixture.nativeElement.querySelector('[data-testid=persist-refused]'), 'the refusal');
    expect(one('persist-refused').textContent).toContain('The browser declined');
  });
});
