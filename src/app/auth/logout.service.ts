import { Injectable, inject } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { Router } from '@angular/router';
import { SessionService } from '../core/session.service';
import { PushLedgerService } from '../core/push-ledger.service';
import { WorkspaceService } from '../core/workspace.service';
import { DraftStore } from '../drafts/draft-store.service';
import { confirm } from '../shared/confirm';

/** Logout deletes the local database, so unsynced changes and unsaved drafts need the user's explicit consent. */
@Injectable({ providedIn: 'root' })
export class LogoutService {
  private readonly sessions = inject(SessionService);
  private readonly ledger = inject(PushLedgerService);
  private readonly drafts = inject(DraftStore);
  private readonly workspace = inject(WorkspaceService);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);

  /** Resolves false if the user chose to stay logged in. */
  async logout(): Promise<boolean> {
    // Right after a start the button is there before the workspace is open, and the ledger
    // and drafts count nothing until it is: counted then, unsynced edits went without a word.
    await this.workspace.settled();
    const unsynced = await this.ledger.unsyncedNow();
    // Typing not written yet (it has not paused) is a draft to tell of too.
    await this.drafts.writeTyped();
    // Read now: another tab may have typed since.
    const drafts = Object.keys(await this.drafts.refresh()).length;
    if (unsynced > 0 || drafts > 0) {
      const changes =
        unsynced === 0
          ? ''
          : unsynced === 1
            ? $localize`:@@logout.oneUnsynced:1 change has not reached the server.`
            : $localize`:@@logout.unsynced:${unsynced}:count: changes have not reached the server.`;
      const typed =
        drafts === 0
          ? ''
          : drafts === 1
            ? $localize`:@@logout.oneDraft:1 form has unsaved edits, kept as a draft on this device.`
            : $localize`:@@logout.drafts:${drafts}:count: forms have unsaved edits, kept as drafts on this device.`;
      const confirmed = await confirm(this.dialog, {
        title:
          unsynced > 0
            ? $localize`:@@logout.confirmTitle:Log out and lose unsynced changes?`
            : $localize`:@@logout.draftsTitle:Log out and lose unsaved edits?`,
        message: [
          changes,
          typed,
          $localize`:@@logout.confirmMessage:Logging out deletes this device's copy of your data, and with it these changes.`,
        ]
          .filter(Boolean)
          .join(' '),
        confirm: $localize`:@@logout.confirm:Log out anyway`,
        cancel: $localize`:@@logout.cancel:Stay logged in`,
        testId: 'logout',
      });
      if (!confirmed) return false;
    }
    await this.workspace.close(true);
    await this.sessions.logout();
    await this.router.navigateByUrl('/login');
    return true;
  }
}
