import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { Defect } from '../../../domain/doc-types';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { SyncLedgerService } from '../core/sync-ledger.service';
import { DefectStoreService, photosOf } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { ANA, fakeSessions, provideTestData, settle, waitFor } from '../testing/test-support';
import { DefectEditPage } from './defect-edit.page';

describe('DefectEditPage', () => {
  let db: Database;
  let inspectionId: string;
  let fixture: ComponentFixture<DefectEditPage>;

  beforeEach(async () => {
    TestBed.configureTestingModule({ providers: [...provideTestData(fakeSessions()), provideRouter([])] });
    db = await TestBed.inject(LocalDbService).open(ANA.db);
    await TestBed.inject(SyncLedgerService).attach(db);
    inspectionId = (await TestBed.inject(InspectionStoreService).create({ title: 'Roof', site: 'Depot 4', scheduledFor: '2026-03-02' }))._id;
  });

  afterEach(async () => {
    fixture?.destroy();
    await settle();
    TestBed.inject(SyncLedgerService).detach();
    await TestBed.inject(LocalDbService).destroy();
  });

  const one = (id: string) => fixture.nativeElement.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      return condition();
    }, what);
  }

  function type(id: string, value: string): void {
    const input = one(id) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  async function open(defectId?: string): Promise<void> {
    fixture = TestBed.createComponent(DefectEditPage);
    fixture.componentRef.setInput('id', inspectionId);
    if (defectId) fixture.componentRef.setInput('defectId', defectId);
    await fixture.whenStable();
  }

  it('creates a defect and continues on its own page for photos', async () => {
    const navigate = spyOn(TestBed.inject(Router), 'navigate').and.resolveTo(true);
    await open();
    type('defect-title', 'Cracked tile');
    type('defect-location', 'Level 2');
    (one('severity-4')!.querySelector('button') as HTMLElement).click();
    one('save-defect')!.click();
    await waitFor(() => navigate.calls.count() > 0, 'navigation');
    const [commands] = navigate.calls.mostRecent().args;
    const id = (commands as string[])[3];
    const saved = await db.get<Defect>(id);
    expect(saved).toEqual(jasmine.objectContaining({ title: 'Cracked tile', location: 'Level 2', severity: 4, status: 'open', inspectionId }));
    expect(saved.description).toBeUndefined();
  });

  it('shows what is wrong next to the field', async () => {
    await open();
    one('save-defect')!.click();
    await until(() => !!one('error-title'), 'the title error');
    expect(one('error-title')!.textContent).toContain('is required');
  });

  it('adds a photo from the camera input and shows its thumbnail', async () => {
    const defect = await TestBed.inject(DefectStoreService).create(inspectionId, { title: 'Leak', severity: 3, status: 'open' });
    await open(defect._id);
    await until(() => !!one('photo-input'), 'the photo input');
    const input = one('photo-input') as HTMLInputElement;
    expect(input.accept).toBe('image/*');
    expect(input.getAttribute('capture')).toBe('environment');

    const canvas = new OffscreenCanvas(2000, 1000);
    canvas.getContext('2d')!.fillRect(0, 0, 2000, 1000);
    const file = new File([await canvas.convertToBlob({ type: 'image/png' })], 'IMG_0001.png', { type: 'image/png' });
    const transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));

    await until(() => !!one('photo-thumb'), 'the thumbnail');
    expect((one('photo-thumb') as HTMLImageElement).src).toMatch(/^blob:/);
    expect(photosOf(await db.get(defect._id)).length).toBe(1);
  });
});
