import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { LocalDbService } from '../core/local-db.service';
import { ReplicationService } from '../core/replication.service';
import { UNREACHABLE_MESSAGE } from '../core/sync-error-message';
import { Database } from '../core/pouchdb';
import { StorageService } from '../core/storage.service';
import { PushLedgerService } from '../core/push-ledger.service';
import { DefectStoreService } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { attachSyncTracking, detachSyncTracking } from '../testing/sync-tracking';
import { ANA, fakeSessions, provideTestData, settle, waitFor } from '../testing/test-support';
import { SyncStatusPage } from './sync-status.page';

describe('SyncStatusPage', () => {
  let db: Database;
  let ledger: PushLedgerService;
  let fixture: ComponentFixture<SyncStatusPage>;
  let storage: jasmine.SpyObj<StorageService>;

  beforeEach(async () => {
    storage = jasmine.createSpyObj<StorageService>('StorageService', ['report', 'requestPersistence']);
    storage.report.and.resolveTo({ usage: 5 * 1024 * 1024, quota: 2 * 1024 * 1024 * 1024, persisted: false });
    storage.requestPersistence.and.resolveTo(true);
    TestBed.configureTestingModule({
      providers: [...provideTestData(fakeSessions()), provideRouter([]), { provide: StorageService, useValue: storage }],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
    await attachSyncTracking(db);
  });

  afterEach(async () => {
    TestBed.inject(ReplicationService).stop();
    fixture?.destroy();
    await settle();
    detachSyncTracking();
    await TestBed.inject(LocalDbService).destroy();
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
    expect(one('rejected-item').textContent).toContain('location: must be on the site plan');
    expect(one('edit-and-retry').getAttribute('href')).toBe(`/inspections/${roof._id}/defects/${defect._id}`);
  });

  it('explains a failed sync in words, not the browser\'s "Failed to fetch"', async () => {
    // The test remote rejects every request as a browser without network does.
    TestBed.inject(ReplicationService).start(db, ANA.db);
    fixture = TestBed.createComponent(SyncStatusPage);
    await until(() => !!one('sync-last-error'), 'the last problem');
    expect(one('sync-last-error').textContent).toBe(`Last problem: ${UNREACHABLE_MESSAGE}`);
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
});
