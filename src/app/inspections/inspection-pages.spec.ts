import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { Subject, defer, finalize, lastValueFrom, throwError } from 'rxjs';
import { Inspection } from '../../../domain/doc-types';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { newDocId } from '../data/doc-writer.service';
import { InspectionPage, InspectionStoreService } from '../data/inspection-store.service';
import { seedInspections } from '../testing/seed-inspections';
import { requestsFinished, waitFor } from '../testing/test-support';
import { InspectionListPage } from './inspection-list.page';
import { InspectionNewPage } from './inspection-new.page';
import { detachSyncTracking, openTrackedDb } from '../testing/sync-tracking';
import { abortedWriteError } from '../testing/aborted-write';

describe('inspection pages', () => {
  let db: Database;

  beforeEach(async () => {
    db = await openTrackedDb([provideRouter([])]);
  });

  afterEach(async () => {
    detachSyncTracking();
    const localDb = TestBed.inject(LocalDbService);
    // Destroys the pages, so their subscriptions (and throttled re-reads) end.
    TestBed.resetTestingModule();
    await requestsFinished(db);
    await localDb.destroy();
  });

  function query(fixture: ComponentFixture<unknown>, id: string): HTMLElement[] {
    return Array.from(fixture.nativeElement.querySelectorAll(`[data-testid=${id}]`));
  }

  async function until(fixture: ComponentFixture<unknown>, condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      return condition();
    }, what);
  }

  const text = (element: HTMLElement | undefined) => element?.textContent?.replace(/\s+/g, ' ').trim();

  async function rowsOf(fixture: ComponentFixture<unknown>, count: number): Promise<string[]> {
    await waitFor(async () => {
      await fixture.whenStable();
      return query(fixture, 'inspection-row').length === count;
    }, `${count} rows`);
    return query(fixture, 'inspection-row').map((row) => row.textContent ?? '');
  }

  /** "Show more", once the list's count has come (after its rows). */
  async function moreButton(fixture: ComponentFixture<unknown>): Promise<HTMLElement> {
    await until(fixture, () => query(fixture, 'inspection-more').length === 1, 'the "Show more" button');
    return query(fixture, 'inspection-more')[0];
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

    it('shows the first page with a count, and more on request', async () => {
      await seedInspections(db, 60);
      const fixture = TestBed.createComponent(InspectionListPage);
      const rows = await rowsOf(fixture, 50);
      expect(rows[0]).toContain('Inspection 1');
      expect(rows[49]).toContain('Inspection 50');
      const more = await moreButton(fixture);
      expect(text(query(fixture, 'inspection-count')[0])).toBe('50 of 60 inspections');
      expect(text(more)).toBe('Show 10 more');

      more.click();
      expect((await rowsOf(fixture, 60))[59]).toContain('Inspection 60');
      expect(text(query(fixture, 'inspection-count')[0])).toBe('60 inspections');
      expect(query(fixture, 'inspection-more').length).toBe(0);
    });

    it('shows the rows before their count, and keeps the last count while it counts again', async () => {
      const store = TestBed.inject(InspectionStoreService);
      await seedInspections(db, 60);
      const reads: Subject<InspectionPage>[] = [];
      spyOn(store, 'list').and.callFake(() => {
        reads.push(new Subject<InspectionPage>());
        return reads.at(-1)!;
      });
      const fixture = TestBed.createComponent(InspectionListPage);
      await until(fixture, () => reads.length === 1, 'the first read');
      const inspections = (await lastValueFrom(InspectionStoreService.prototype.list.call(store, { status: 'all', search: '', limit: 50 })))
        .inspections;
      reads[0].next({ inspections, total: null });
      expect((await rowsOf(fixture, 50))[0]).toContain('Inspection 1');
      expect(query(fixture, 'inspection-count').length).toBe(0);
      expect(query(fixture, 'inspection-more').length).toBe(0);

      reads[0].next({ inspections, total: 60 });
      reads[0].complete();
      await until(fixture, () => text(query(fixture, 'inspection-count')[0]) === '50 of 60 inspections', 'the count');

      // A sync brings one more: the rows come first again, the count stays until the new one comes.
      await seedInspections(db, 1, () => ({ title: 'Pulled' }));
      await until(fixture, () => reads.length === 2, 'the read after the change');
      reads[1].next({ inspections, total: null });
      await fixture.whenStable();
      expect(text(query(fixture, 'inspection-count')[0])).toBe('50 of 60 inspections');
      reads[1].next({ inspections, total: 61 });
      await until(fixture, () => text(query(fixture, 'inspection-count')[0]) === '50 of 61 inspections', 'the new count');
    });

    it('pages search results together with the status filter, back to one page on each change', async () => {
      await seedInspections(db, 130, (n) => ({ site: n % 2 ? 'Harbour' : 'Depot 4', status: n % 5 ? 'draft' : 'submitted' }));
      const fixture = TestBed.createComponent(InspectionListPage);
      await rowsOf(fixture, 50);
      (await moreButton(fixture)).click();
      await rowsOf(fixture, 100);

      const search = query(fixture, 'inspection-search')[0] as HTMLInputElement;
      search.value = 'HARBOUR';
      search.dispatchEvent(new Event('input'));
      const harbour = await rowsOf(fixture, 50);
      expect(harbour[0]).toContain('Inspection 2');
      expect(harbour[1]).toContain('Inspection 4');
      expect(text(query(fixture, 'inspection-count')[0])).toBe('50 of 65 inspections');

      query(fixture, 'inspection-more')[0].click();
      expect((await rowsOf(fixture, 65))[64]).toContain('Inspection 130');
      expect(query(fixture, 'inspection-more').length).toBe(0);

      // Submitted harbour inspections: every tenth, from the sixth on.
      const submitted = query(fixture, 'status-filter')[0].querySelectorAll('button')[2] as HTMLButtonElement;
      expect(submitted.textContent).toContain('Submitted');
      submitted.click();
      const rows = await rowsOf(fixture, 13);
      expect(rows[0]).toContain('Inspection 6');
      expect(rows[1]).toContain('Inspection 16');
      expect(text(query(fixture, 'inspection-count')[0])).toBe('13 inspections');

      search.value = 'no such site';
      search.dispatchEvent(new Event('input'));
      await rowsOf(fixture, 0);
      expect(text(query(fixture, 'inspection-empty')[0])).toBe('No inspections match.');
      expect(query(fixture, 'inspection-count').length).toBe(0);
    });

    it('says so when a read fails, and keeps listing after it', async () => {
      const store = TestBed.inject(InspectionStoreService);
      await store.create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
      let calls = 0;
      spyOn(store, 'list').and.callFake((query) =>
        ++calls === 1 ? throwError(() => new Error('QuotaExceededError')) : InspectionStoreService.prototype.list.call(store, query),
      );
      const fixture = TestBed.createComponent(InspectionListPage);
      await until(fixture, () => query(fixture, 'inspection-read-error').length === 1, 'the read error');
      expect(text(query(fixture, 'inspection-read-error')[0])).toContain('could not be read: QuotaExceededError');

      await store.create({ title: 'Boiler room', site: 'Depot 4', scheduledFor: '2026-03-01' });
      await rowsOf(fixture, 2);
      expect(query(fixture, 'inspection-read-error').length).toBe(0);
    });

    it('re-reads only the shown page, one query at a time, while a sync writes', async () => {
      const store = TestBed.inject(InspectionStoreService);
      let running = 0;
      let mostAtOnce = 0;
      const list = spyOn(store, 'list').and.callFake((query) =>
        defer(() => {
          mostAtOnce = Math.max(mostAtOnce, ++running);
          return InspectionStoreService.prototype.list.call(store, query);
        }).pipe(finalize(() => running--)),
      );
      const fixture = TestBed.createComponent(InspectionListPage);
      await until(fixture, () => query(fixture, 'inspection-empty').length === 1, 'the empty list');

      // A defect cannot change the list. Nothing holds a re-read back yet (no change has been
      // heard), so if the page took the defect's change it would read at once, on hearing it
      // (this test hears each change after the page), before the inspection written next.
      const heard = new Set<string>();
      const hearing = store.changes$.subscribe((id) => heard.add(id));
      const defect = await db.put({
        _id: newDocId('defect'),
        type: 'defect',
        inspectionId: 'inspection:x',
        title: 'Leak',
        severity: 3,
        status: 'open',
      });
      await waitFor(() => heard.has(defect.id), "the defect's change heard");
      hearing.unsubscribe();
      await store.create({ title: 'After the defect', site: 'Depot 4', scheduledFor: '2026-03-02' });
      expect(await rowsOf(fixture, 1)).toEqual([jasmine.stringContaining('After the defect')]);
      expect(list).toHaveBeenCalledTimes(2);
      list.calls.reset();

      const batches = 30;
      for (let batch = 0; batch < batches; batch++) await seedInspections(db, 5, (n) => ({ title: `Batch ${batch} #${n}` }));
      await until(fixture, () => text(query(fixture, 'inspection-count')[0]) === '50 of 151 inspections', 'the count');

      expect(mostAtOnce).toBe(1);
      expect(list.calls.count()).toBeLessThan(batches);
      expect(list.calls.allArgs().every(([query]) => query.limit === 50)).toBeTrue();
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

    it('says so when the save fails, keeping what was typed', async () => {
      spyOn(TestBed.inject(InspectionStoreService), 'create').and.rejectWith(new Error('The storage of this device is full'));
      type('inspection-title', 'Roof');
      type('inspection-site', 'Depot 4');
      query(fixture, 'save-inspection')[0].click();
      await until(fixture, () => query(fixture, 'save-failure').length === 1, 'the failure');
      expect(text(query(fixture, 'save-failure')[0])).toBe(
        'Saving failed: The storage of this device is full. Your changes are still here; try again.',
      );
      expect((query(fixture, 'inspection-title')[0] as HTMLInputElement).value).toBe('Roof');
      expect((query(fixture, 'save-inspection')[0] as HTMLButtonElement).disabled).toBeFalse();
      expect(navigate).not.toHaveBeenCalled();
    });

    it('says the storage is full when IndexedDB aborts the write at the quota', async () => {
      spyOn(TestBed.inject(InspectionStoreService), 'create').and.rejectWith(abortedWriteError());
      spyOn(navigator.storage, 'estimate').and.resolveTo({ usage: 995, quota: 1000 });
      type('inspection-title', 'Roof');
      type('inspection-site', 'Depot 4');
      query(fixture, 'save-inspection')[0].click();
      await until(fixture, () => query(fixture, 'save-failure').length === 1, 'the failure');
      expect(text(query(fixture, 'save-failure')[0])).toContain('The storage of this device is full, so your changes were not saved.');
      expect((query(fixture, 'inspection-title')[0] as HTMLInputElement).value).toBe('Roof');
    });

    it('shows every violation at once, outlines those fields and focuses the first', async () => {
      query(fixture, 'save-inspection')[0].click();
      await waitFor(async () => {
        await fixture.whenStable();
        return document.activeElement === query(fixture, 'inspection-title')[0];
      }, 'focus on the title');
      expect(query(fixture, 'error-title')[0].textContent!.trim()).toBe('Title is required');
      expect(query(fixture, 'error-site')[0].textContent!.trim()).toBe('Site is required');
      const outlined = Array.from(
        fixture.nativeElement.querySelectorAll('mat-form-field.mat-form-field-invalid mat-label') as NodeListOf<HTMLElement>,
      );
      expect(outlined.map((label) => label.textContent!.trim())).toEqual(['Title', 'Site']);
    });
  });
});
