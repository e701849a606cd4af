import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { Defect } from '../../../domain/doc-types';
import { Database } from '../core/pouchdb';
import { DefectStoreService, photosOf } from '../data/defect-store.service';
import { setUpDefectPage } from '../testing/defect-page-setup';
import { endSyncTracking } from '../testing/sync-tracking';
import { waitFor } from '../testing/test-support';
import { DefectEditPage } from './defect-edit.page';

/** The defect form as an inspector meets it: every message at once, severity, photos before the first save, "Saved". */
describe('DefectEditPage form', () => {
  let db: Database;
  let inspectionId: string;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    ({ db, inspectionId, harness } = await setUpDefectPage());
  });

  afterEach(async () => {
    harness.fixture.destroy();
    await endSyncTracking(db);
  });

  const page = () => harness.routeNativeElement!;
  const one = (id: string) => page().querySelector(`[data-testid="${id}"]`) as HTMLElement | null;

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await harness.fixture.whenStable();
      return condition();
    }, what);
  }

  function type(id: string, value: string): void {
    const input = one(id) as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  const openNew = () => harness.navigateByUrl(`/inspections/${inspectionId}/defects/new`, DefectEditPage);

  async function openExisting(severity: Defect['severity'] = 3): Promise<Defect> {
    const defect = await TestBed.inject(DefectStoreService).create(inspectionId, { title: 'Leak', severity, status: 'open' });
    await harness.navigateByUrl(`/inspections/${inspectionId}/defects/${defect._id}`, DefectEditPage);
    await until(() => (one('defect-title') as HTMLInputElement | null)?.value === 'Leak', 'the defect shown');
    return defect;
  }

  const pickSeverity = (level: number) => (one(`severity-${level}`)!.querySelector('button') as HTMLElement).click();
  const checkedSeverities = () =>
    Array.from(page().querySelectorAll('.mat-button-toggle-checked')).map((toggle) => toggle.textContent!.trim());
  /** The labels of the fields in Material's error state (outlined red). */
  const outlined = () =>
    Array.from(page().querySelectorAll('mat-form-field.mat-form-field-invalid mat-label')).map((label) => label.textContent!.trim());
  const defectsStored = async () => (await db.allDocs({ startkey: 'defect:', endkey: 'defect:\uffff' })).rows.length;

  async function pickPhoto(): Promise<void> {
    const canvas = new OffscreenCanvas(400, 300);
    canvas.getContext('2d')!.fillRect(0, 0, 400, 300);
    const transfer = new DataTransfer();
    transfer.items.add(new File([await canvas.convertToBlob({ type: 'image/png' })], 'IMG_0003.png', { type: 'image/png' }));
    const input = one('photo-input') as HTMLInputElement;
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
  }

  it('shows every message at once, worded like its label, outlines the fields and focuses the first', async () => {
    await openNew();
    expect(outlined()).toEqual([]);
    one('save-defect')!.click();
    await until(() => document.activeElement === one('defect-title'), 'focus on the title');
    expect(one('error-title')!.textContent!.trim()).toBe('Title is required');
    expect(one('error-severity')!.textContent!.trim()).toBe('Severity is required');
    expect(outlined()).toEqual(['Title']);
    expect(one('severity-field')!.classList).toContain('field-invalid');
    expect(await defectsStored()).toBe(0);

    // Each message goes once its field is filled in.
    pickSeverity(2);
    await until(() => !one('error-severity'), 'the severity message gone');
    expect(one('severity-field')!.classList).not.toContain('field-invalid');
    expect(one('error-title')).not.toBeNull();
  });

  it('has no severity for a new defect until one is picked, with a legend of the scale; an existing defect keeps its own', async () => {
    await openNew();
    expect(checkedSeverities()).toEqual([]);
    const legend = one('severity-legend')!.textContent!.replace(/\s+/g, ' ');
    expect(legend).toContain('1 Cosmetic');
    expect(legend).toContain('3 Moderate');
    expect(legend).toContain('5 Critical: dangerous');
    expect(one('defect-severity')!.getAttribute('aria-describedby')).toBe('severity-legend');

    await openExisting(2);
    await until(() => checkedSeverities().length === 1, 'the stored severity');
    expect(checkedSeverities()).toEqual(['2']);
  });

  it('keeps photos picked before the first save through a refused save, and attaches them on the next', async () => {
    await openNew();
    await pickPhoto();
    await until(() => !!one('pending-photo'), 'the picked photo shown');
    expect(one('pending-photo')!.textContent).toContain('Saved with the defect');

    // The rules refuse a title over 200 characters: nothing is written, the photo stays.
    type('defect-title', 'x'.repeat(201));
    pickSeverity(4);
    one('save-defect')!.click();
    await until(() => !!one('error-title'), 'the refusal');
    expect(one('error-title')!.textContent!.trim()).toBe('Title must be at most 200 characters');
    expect(outlined()).toEqual(['Title']);
    expect(page().querySelectorAll('[data-testid="pending-photo"]').length).toBe(1);
    expect(await defectsStored()).toBe(0);

    type('defect-title', 'Cracked tile');
    one('save-defect')!.click();
    await until(() => TestBed.inject(Router).url.includes('/defects/defect:'), 'the defect page');
    const id = decodeURIComponent(TestBed.inject(Router).url.split('/').pop()!);
    const saved = await db.get<Defect>(id);
    expect(saved).toEqual(jasmine.objectContaining({ title: 'Cracked tile', severity: 4 }));
    expect(photosOf(saved).length).toBe(1);
    await until(() => !!one('photo-thumb') && !one('pending-photo'), 'the stored photo shown');
  });

  it('creates one defect when Save is tapped again while a picked photo is still being prepared', async () => {
    const store = TestBed.inject(DefectStoreService);
    const prepare = store.preparePhoto.bind(store);
    let prepared!: () => void;
    const preparing = new Promise<void>((resolve) => (prepared = resolve));
    spyOn(store, 'preparePhoto').and.callFake(async (image) => {
      await preparing;
      return prepare(image);
    });
    await openNew();
    type('defect-title', 'Cracked tile');
    pickSeverity(4);
    await pickPhoto();
    one('save-defect')!.click();
    await harness.fixture.whenStable();
    // Nothing seems to happen while the photo is prepared: the inspector taps again.
    if (!(one('save-defect') as HTMLButtonElement).disabled) one('save-defect')!.click();
    prepared();
    await until(() => TestBed.inject(Router).url.includes('/defects/defect:'), 'the defect page');
    await harness.fixture.whenStable();
    expect(await defectsStored()).toBe(1);
  });

  it('drops a photo removed before the first save', async () => {
    await openNew();
    await pickPhoto();
    await until(() => !!one('pending-photo'), 'the picked photo shown');
    (one('pending-photo')!.querySelector('[data-testid="remove-photo"]') as HTMLElement).click();
    await until(() => !one('pending-photo'), 'the photo gone');
    type('defect-title', 'Loose rail');
    pickSeverity(3);
    one('save-defect')!.click();
    await until(() => TestBed.inject(Router).url.includes('/defects/defect:'), 'the defect page');
    const id = decodeURIComponent(TestBed.inject(Router).url.split('/').pop()!);
    expect(photosOf(await db.get(id))).toEqual([]);
  });

  it('says "Saved" on the new defect\'s own page after the first save', async () => {
    await openNew();
    expect(one('save-status')!.textContent!.trim()).toBe('');
    expect(one('save-status')!.getAttribute('role')).toBe('status');
    type('defect-title', 'Cracked tile');
    pickSeverity(1);
    one('save-defect')!.click();
    await until(
      () => TestBed.inject(Router).url.includes('/defects/defect:') && one('save-status')?.textContent?.trim() === 'Saved on this device.',
      '"Saved"',
    );
  });

  it('says "Saved" after saving an existing defect, until something is typed', async () => {
    const defect = await openExisting();
    expect(one('save-status')!.textContent!.trim()).toBe('');
    type('defect-description', 'Dripping since Monday');
    one('save-defect')!.click();
    await until(() => one('save-status')!.textContent!.trim() === 'Saved on this device.', '"Saved"');
    expect((await db.get<Defect>(defect._id)).description).toBe('Dripping since Monday');
    type('defect-description', 'Dripping since Sunday');
    await harness.fixture.whenStable();
    expect(one('save-status')!.textContent!.trim()).toBe('');
  });
});
