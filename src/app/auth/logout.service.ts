import { Injectable, inject } from '@angular/core';
import { MatDialog } from '@angular/material/dialog';
import { Router } from '@angular/router';
import { SessionService } from '../core/session.service';
import { PushLedgerService } from '../core/push-ledger.service';
import { WorkspaceService } from '../core/workspace.service';
import { confirm } from '../shared/confirm';

/** Logout deletes the local database, so unsynced changes need the user's explicit consent. */
@Injectable({ providedIn: 'root' })
export class LogoutService {
  private readonly sessions = inject(SessionService);
  private readonly ledger = inject(PushLedgerService);
  private readonly workspace = inject(WorkspaceService);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);

  /** Resolves false if the user chose to stay logged in. */
  async logout(): Promise<boolean> {
    const unsynced = this.ledger.unsyncedCount();
    if (unsynced > 0) {
      const changes =
        unsynced === 1
          ? $localize`:@@logout.oneUnsynced:1 change has not reached the server.`
          : $localize`:@@logout.unsynced:${unsynced}:count: changes have not reached the server.`;
      const confirmed = await confirm(this.dialog, {
        title: $localize`:@@logout.confirmTitle:Log out and lose unsynced changes?`,
        message: `${changes} ${$localize`:@@logout.confirmMessage:Logging out deletes this device's copy of your data, and with it these changes.`}`,
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
