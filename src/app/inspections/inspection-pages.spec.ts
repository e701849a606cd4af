import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { Inspection } from '../../../couch/doc-types';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { SyncLedgerService } from '../core/sync-ledger.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { ANA, fakeSessions, provideTestData, settle, waitFor } from '../testing/test-support';
import { InspectionListPage } from './inspection-list.page';
import { InspectionNewPage } from './inspection-new.page';

describe('inspection pages', () => {
  let db: Database;

  beforeEach(async () => {
    TestBed.configureTestingModule({
      providers: [...provideTestData(fakeSessions()), provideRouter([])],
    });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    await TestBed.inject(SyncLedgerService).attach(db);
  });

  afterEach(async () => {
    await settle();
    TestBed.inject(SyncLedgerService).detach();
    await TestBed.inject(LocalDbService).destroy();
  });

  function query(fixture: ComponentFixture<unknown>, id: string): HTMLElement[] {
    return Array.from(fixture.nativeElement.querySelectorAll(`[data-testid=${id}]`));
  }

  async function rowsOf(fixture: ComponentFixture<unknown>, count: number): Promise<string[]> {
    await waitFor(async () => {
      await fixture.whenStable();
      return query(fixture, 'inspection-row').length === count;
    }, `${count} rows`);
    return query(fixture, 'inspection-row').map((row) => row.textContent ?? '');
  }

  describe('InspectionListPage', () => {
    it('lists inspections and picks up new ones from the changes feed', async () => {
      const store = TestBed.inject(InspectionStoreService);
      await store.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
      const fixture = TestBed.createComponent(InspectionListPage);
      expect((await rowsOf(fixture, 1))[0]).toContain('Roof');

      // As if pulled from the server or written by another tab.
      await store.create({ title: 'Boiler room', site: 'Depot 4', scheduledFor: '2026-03-01' });
      const rows = await rowsOf(fixture, 2);
      expect(rows[0]).toContain('Boiler room');
      expect(rows[1]).toContain('Roof');
      expect(query(fixture, 'sync-badge').map((badge) => badge.getAttribute('data-status'))).toEqual(['pending', 'pending']);
    });

    it('narrows the list with the search box', async () => {
      const store = TestBed.inject(InspectionStoreService);
      await store.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
      await store.create({ title: 'Boiler room', site: 'Harbour', scheduledFor: '2026-03-01' });
      const fixture = TestBed.createComponent(InspectionListPage);
      await rowsOf(fixture, 2);
      const search = query(fixture, 'inspection-search')[0] as HTMLInputElement;
      search.value = 'harb';
      search.dispatchEvent(new Event('input'));
      expect((await rowsOf(fixture, 1))[0]).toContain('Boiler room');
    });
  });

  describe('InspectionNewPage', () => {
    let fixture: ComponentFixture<InspectionNewPage>;
    let navigate: jasmine.Spy;

    beforeEach(async () => {
      navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
      fixture = TestBed.createComponent(InspectionNewPage);
      await fixture.whenStable();
    });

    function type(id: string, value: string): void {
      const input = query(fixture, id)[0] as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }

    it('saves a draft and returns to the list', async () => {
      type('inspection-title', 'Roof');
      type('inspection-site', 'Depot 4');
      query(fixture, 'save-inspection')[0].click();
      await waitFor(() => navigate.calls.count() > 0, 'navigation');
      expect(navigate).toHaveBeenCalledWith('/inspections');
      const saved = await db.find({ selector: { type: 'inspection' } });
      expect((saved.docs[0] as unknown as Inspection).title).toBe('Roof');
      expect((saved.docs[0] as unknown as Inspection).createdBy).toBe('ana');
    });

    it('shows the rule violations next to the fields and saves nothing', async () => {
      type('inspection-site', 'Depot 4');
      query(fixture, 'save-inspection')[0].click();
      await waitFor(async () => {
        await fixture.whenStable();
        return query(fixture, 'error-title').length === 1;
      }, 'the title error');
      expect(query(fixture, 'error-title')[0].textContent).toContain('is required');
      expect(query(fixture, 'error-site').length).toBe(0);
      expect(navigate).not.toHaveBeenCalled();
      expect((await db.find({ selector: { type: 'inspection' } })).docs.length).toBe(0);
    });
  });
});
