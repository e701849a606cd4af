import { Signal, inject } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { CanDeactivateFn } from '@angular/router';
import { confirm } from '../shared/confirm';
import { FormDraft } from './form-draft';

/** A page whose form keeps a draft. */
export interface HoldsDraft {
  readonly draft: Pick<FormDraft, 'held' | 'onOpenDatabase'>;
  /** How many photos are picked and neither saved nor kept with the draft (being stored, or they did not fit). */
  readonly unsavedPhotos?: Signal<number>;
}

/**
 * Leaving a page with unsaved edits says where they are; it blocks only to ask before photos the
 * draft does not keep are lost (the draft is safe on the device, they are not). Neither at
 * logout nor once another user is logged in: the form's database, drafts included, is closed.
 */
export const sayDraftKept: CanDeactivateFn<HoldsDraft> = async (page) => {
  const dialog = inject(MatDialog);
  const snackBar = inject(MatSnackBar);
  if (!page.draft.onOpenDatabase()) return true;
  const photos = page.unsavedPhotos?.() ?? 0;
  if (
    photos &&
    !(await confirm(dialog, {
      title: $localize`:@@draft.photosTitle:Leave without the photos?`,
      message: $localize`:@@draft.photosNotKeptMessage:Some photos you picked are not kept on this device with the draft, and are not saved yet. Save to keep them.`,
      confirm: $localize`:@@draft.photosLeave:Leave without them`,
      cancel: $localize`:@@draft.photosStay:Stay`,
      testId: 'leave-photos',
    }))
  ) {
    return false;
  }
  if (page.draft.held()) {
    const kept = photos
      ? $localize`:@@draft.keptWithoutSomePhotos:Your edits are kept as a draft on this device, except for some photos.`
      : $localize`:@@draft.kept:Your edits are kept as a draft on this device.`;
    snackBar.open(kept, $localize`:@@draft.keptOk:OK`, { duration: 6000 });
  }
  return true;
};
