import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { Database } from '../core/pouchdb';
import { DefectEditPage } from '../defects/defect-edit.page';
import { setUpDefectPage } from '../testing/defect-page-setup';
import { endSyncTracking } from '../testing/sync-tracking';
import { waitFor } from '../testing/test-support';
import { sayDraftKept } from './draft-kept.guard';

/** Leaving a new defect's page: what the draft keeps, and the photos it does not. */
describe('sayDraftKept', () => {
  let db: Database;
  let inspectionUrl: string;
  let harness: RouterTestingHarness;

  beforeEach(async () => {
    const setUp = await setUpDefectPage(sayDraftKept);
    ({ db, harness } = setUp);
    inspectionUrl = `/inspections/${setUp.inspectionId}`;
    await harness.navigateByUrl(`${inspectionUrl}/defects/new`, DefectEditPage);
  });

  afterEach(async () => {
    TestBed.inject(MatSnackBar).dismiss();
    harness.fixture.destroy();
    await endSyncTracking(db);
  });

  const one = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
  const snackBar = () => document.querySelector('mat-snack-bar-container')?.textContent ?? '';

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await harness.fixture.whenStable();
      return condition();
    }, what);
  }

  function typeTitle(): void {
    const input = one('defect-title') as HTMLInputElement;
    input.value = 'Cracked beam';
    input.dispatchEvent(new Event('input'));
  }

  async function pickPhoto(): Promise<void> {
    const canvas = new OffscreenCanvas(200, 100);
    canvas.getContext('2d')!.fillRect(0, 0, 200, 100);
    const transfer = new DataTransfer();
    transfer.items.add(new File([await canvas.convertToBlob({ type: 'image/png' })], 'IMG_1.png', { type: 'image/png' }));
    const input = one('photo-input') as HTMLInputElement;
    input.files = transfer.files;
    input.dispatchEvent(new Event('change'));
    await until(() => !!one('pending-photo'), 'the picked photo');
  }

  /** Leaves for the inspection; resolves with whether the page was left. */
  const leave = () => TestBed.inject(Router).navigateByUrl(inspectionUrl);

  it('says the edits are kept when the draft holds them all', async () => {
    typeTitle();
    expect(await leave()).toBeTrue();
    await until(() => snackBar().includes('Your edits are kept as a draft on this device.'), 'the message');
  });

  it('asks before photos not saved yet are lost; staying keeps them', async () => {
    typeTitle();
    await pickPhoto();
    const left = leave();
    // Not `until`: the app is not stable while the navigation waits for the answer.
    await waitFor(() => !!one('leave-photos-cancel'), 'the question');
    one('leave-photos-cancel')!.click();
    expect(await left).toBeFalse();
    await until(() => !one('leave-photos-cancel'), 'the question closed');
    expect(one('pending-photo')).not.toBeNull();
    expect(snackBar()).toBe('');
  });

  it('leaves without them once confirmed, saying the draft keeps only what was typed', async () => {
    typeTitle();
    await pickPhoto();
    const left = leave();
    await waitFor(() => !!one('leave-photos-confirm'), 'the question');
    one('leave-photos-confirm')!.click();
    expect(await left).toBeTrue();
    await until(() => snackBar().includes('What you typed is kept as a draft on this device; the photos are not.'), 'the message');
  });
});
