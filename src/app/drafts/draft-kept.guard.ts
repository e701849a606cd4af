import { inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { CanDeactivateFn } from '@angular/router';
import { LocalDbService } from '../core/local-db.service';
import { FormDraft } from './form-draft';

/** A page whose form keeps a draft. */
export interface HoldsDraft {
  readonly draft: Pick<FormDraft, 'held'>;
}

/**
 * Leaving a page with unsaved edits says where they are; it never blocks (the draft is safe on
 * the device). Not said at logout: the database, drafts included, is gone by then.
 */
export const sayDraftKept: CanDeactivateFn<HoldsDraft> = (page) => {
  if (page.draft.held() && inject(LocalDbService).db()) {
    inject(MatSnackBar).open($localize`:@@draft.kept:Your edits are kept as a draft on this device.`, $localize`:@@draft.keptOk:OK`, {
      duration: 6000,
    });
  }
  return true;
};
