import { ComponentFixture, TestBed } from '@angular/core/testing';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { saveInspection } from '../testing/save-inspection';
import { attachSyncTracking, detachSyncTracking } from '../testing/sync-tracking';
import { ANA, fakeSessions, provideTestData, waitFor } from '../testing/test-support';
import { RecordBadgeComponent } from './record-badge.component';

describe('RecordBadgeComponent', () => {
  let db: Database;
  let ledger: PushLedgerService;
  let fixture: ComponentFixture<RecordBadgeComponent>;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: provideTestData(fakeSessions()) });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    ledger = TestBed.inject(PushLedgerService);
    await attachSyncTracking(db);
    fixture = TestBed.createComponent(RecordBadgeComponent);
    fixture.componentRef.setInput('doc', { _id: 'not-yet' });
  });

  afterEach(async () => {
    fixture.destroy();
    detachSyncTracking();
    await TestBed.inject(LocalDbService).destroy();
  });

  async function shown(doc: { _id: string; _rev?: string; _conflicts?: string[] }): Promise<string | null> {
    fixture.componentRef.setInput('doc', doc);
    await fixture.whenStable();
    return (fixture.nativeElement as HTMLElement).querySelector('[data-testid=sync-badge]')!.getAttribute('data-status');
  }

  it('says pending until the push checkpoint passes the edit, then synced', async () => {
    const doc = await saveInspection('Roof');
    await waitFor(() => ledger.pendingIds().has(doc._id), 'pending');
    expect(await shown(doc)).toBe('pending');
    await ledger.pushCheckpoint((await db.info()).update_seq);
    expect(await shown(doc)).toBe('synced');
  });

  it('says rejected, with the reason, for the refused revision only', async () => {
    fixture.componentRef.setInput('showReason', true);
    const doc = await saveInspection('Roof');
    await ledger.pushCheckpoint((await db.info()).update_seq);
    await ledger.rejected(doc._id, 'site: must be a real site');
    expect(await shown(doc)).toBe('rejected');
    expect((fixture.nativeElement as HTMLElement).querySelector('[data-testid=rejection-reason]')?.textContent).toBe(
      'Site: must be a real site',
    );

    const fixed = await saveInspection('Fixed', doc);
    await waitFor(() => ledger.pendingIds().has(fixed._id), 'the fix pending');
    expect(await shown(fixed)).toBe('pending');
  });

  it('says conflict for a document with conflicting revisions', async () => {
    const doc = await saveInspection('Roof');
    await db.bulkDocs([{ ...doc, _rev: '1-ffffffffffffffffffffffffffffffff', title: 'Other tablet' }], { new_edits: false });
    expect(await shown(await db.get(doc._id, { conflicts: true }))).toBe('conflict');
  });
});
