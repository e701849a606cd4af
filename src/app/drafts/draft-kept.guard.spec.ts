import { Provider } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { userDbName } from '../../../domain/user-db-name';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { DefectEditPage } from '../defects/defect-edit.page';
import { setUpDefectPage } from '../testing/defect-page-setup';
import { detachSyncTracking, endSyncTracking } from '../testing/sync-tracking';
import { ANA, requestsFinished, trackRequests, waitFor } from '../testing/test-support';
import { sayDraftKept } from './draft-kept.guard';
import { DRAFT_PHOTO_BUDGET, DraftStore } from './draft-store.service';

/** Leaving a new defect's page: what the draft keeps, and the photos it could not keep. */
describe('sayDraftKept', () => {
  let db: Database | undefined;
  let inspectionId: string;
  let inspectionUrl: string;
  let harness: RouterTestingHarness;
  let page: DefectEditPage;

  /** The new defect's page, open; `providers` besides the test data. */
  async function start(providers: Provider[] = []): Promise<void> {
    const setUp = await setUpDefectPage(sayDraftKept, providers);
    ({ db, harness, inspectionId } = setUp);
    inspectionUrl = `/inspections/${inspectionId}`;
    page = await harness.navigateByUrl(`${inspectionUrl}/defects/new`, DefectEditPage);
  }

  /** Drafts keep no photo: none fits. */
  const noRoomForPhotos: Provider[] = [{ provide: DRAFT_PHOTO_BUDGET, useValue: 0 }];

  afterEach(async () => {
    // A question left open (a failed spec) would hold its navigation, and the next spec's.
    TestBed.inject(MatDialog).closeAll();
    TestBed.inject(MatSnackBar).dismiss();
    harness?.fixture.destroy();
    if (db) await endSyncTracking(db);
    db = undefined;
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
    await start();
    typeTitle();
    expect(await leave()).toBeTrue();
    await until(() => snackBar().includes('Your edits are kept as a draft on this device.'), 'the message');
  });

  it('leaves without a question once the photos are kept with the draft', async () => {
    await start();
    typeTitle();
    await pickPhoto();
    // What the guard reads: the page counts the photo as kept once the draft's write has come
    // back to it, a moment after the draft store holds it (waiting on the store raced that).
    await until(() => page.unsavedPhotos() === 0, 'the photo kept with the draft');
    expect((await TestBed.inject(DraftStore).get(`new-defect:${inspectionId}`))?.photos?.length).toBe(1);
    expect(await leave()).toBeTrue();
    await until(() => snackBar().includes('Your edits are kept as a draft on this device.'), 'the message');
  });

  it('asks before photos the draft could not keep are lost; staying keeps them', async () => {
    await start(noRoomForPhotos);
    typeTitle();
    await pickPhoto();
    await until(() => !!one('photo-not-kept'), 'the photo marked as not kept');
    const left = leave();
    // Not `until`: the app is not stable while the navigation waits for the answer.
    await waitFor(() => !!one('leave-photos-cancel'), 'the question');
    expect(one('leave-photos-message')!.textContent).toContain('Some photos you picked are not kept on this device with the draft');
    one('leave-photos-cancel')!.click();
    expect(await left).toBeFalse();
    await until(() => !one('leave-photos-cancel'), 'the question closed');
    expect(one('pending-photo')).not.toBeNull();
    expect(snackBar()).toBe('');
  });

  it('leaves without them once confirmed, saying the draft keeps the rest', async () => {
    await start(noRoomForPhotos);
    typeTitle();
    await pickPhoto();
    await until(() => !!one('photo-not-kept'), 'the photo marked as not kept');
    const left = leave();
    await waitFor(() => !!one('leave-photos-confirm'), 'the question');
    one('leave-photos-confirm')!.click();
    expect(await left).toBeTrue();
    await until(() => snackBar().includes('Your edits are kept as a draft on this device, except for some photos.'), 'the message');
  });

  it('leaves without a question once another user is logged in: the form’s database is closed', async () => {
    await start(noRoomForPhotos);
    typeTitle();
    await pickPhoto();
    await until(() => !!one('photo-not-kept'), 'the photo marked as not kept');
    const local = TestBed.inject(LocalDbService);
    detachSyncTracking();
    await requestsFinished(db!);
    await local.open(userDbName('ben'));
    expect(await leave()).toBeTrue();
    expect(one('leave-photos-cancel')).toBeNull();
    expect(snackBar()).toBe('');
    await local.destroy();
    // Back to Ana, whose database afterEach deletes.
    db = await local.open(ANA.db);
    trackRequests(db);
  });
});
