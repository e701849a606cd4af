import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Database } from '../core/pouchdb';
import { DefectStoreService } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { InspectionDetailPage } from '../inspections/inspection-detail.page';
import { endSyncTracking, openTrackedDb } from '../testing/sync-tracking';
import { waitFor } from '../testing/test-support';
import { defectSummary, photoCount } from './defect-summary';

describe('defectSummary', () => {
  it('leaves out a location not recorded and photos not taken', () => {
    expect(defectSummary({ status: 'open' }, 1)).toBe('open · 1 photo');
    expect(defectSummary({ status: 'open', location: '  ' }, 0)).toBe('open');
    expect(defectSummary({ status: 'wont_fix', location: 'Level 2' }, 3)).toBe("Level 2 · won't fix · 3 photos");
  });

  it('counts photos in proper plural, by the rules of the locale', () => {
    expect([0, 1, 2, 2500].map((count) => photoCount(count, 'en-US'))).toEqual(['0 photos', '1 photo', '2 photos', '2,500 photos']);
    // French counts zero as singular (the English text: no catalog is loaded in the specs).
    expect(photoCount(0, 'fr')).toBe('0 photo');
  });
});

describe("The inspection page's defect line", () => {
  let db: Database;

  beforeEach(async () => {
    db = await openTrackedDb([provideRouter([])]);
  });

  afterEach(async () => {
    await endSyncTracking(db);
  });

  it('reads "open · 1 photo" for a defect without a location', async () => {
    const inspection = await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' });
    const defects = TestBed.inject(DefectStoreService);
    const defect = await defects.create(inspection._id, { title: 'Leak', severity: 3, status: 'open' });
    const canvas = new OffscreenCanvas(40, 30);
    canvas.getContext('2d')!.fillRect(0, 0, 40, 30);
    await defects.addPhoto(defect, await canvas.convertToBlob({ type: 'image/png' }));

    const fixture = TestBed.createComponent(InspectionDetailPage);
    fixture.componentRef.setInput('id', inspection._id);
    const meta = () => (fixture.nativeElement as HTMLElement).querySelector('[data-testid="defect-row"] .defect-meta')?.textContent?.trim();
    await waitFor(async () => (await fixture.whenStable(), !!meta()), 'the defect row');
    expect(meta()).toBe('open · 1 photo');
    fixture.destroy();
  });
});
