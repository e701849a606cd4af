import { Injectable, Injector, effect, inject, untracked } from '@angular/core';
import { MatDialog, MatDialogRef } from '@angular/material/dialog';
import { distinctUntilChanged, filter, map } from 'rxjs';
import { ReplicationService } from '../core/replication.service';
import { SessionService } from '../core/session.service';
import { ReloginData, ReloginDialog } from './relogin.dialog';

/** When the replication hits a 401, asks for the password and resumes the sync. */
@Injectable({ providedIn: 'root' })
export class SessionExpiryService {
  private readonly replication = inject(ReplicationService);
  private readonly sessions = inject(SessionService);
  private readonly dialog = inject(MatDialog);
  private readonly injector = inject(Injector);
  private open: MatDialogRef<ReloginDialog, boolean> | null = null;

  /** Starts watching; called once by the app shell. */
  watch(): void {
    this.replication.status$
      .pipe(
        map((status) => status.sessionExpired),
        distinctUntilChanged(),
        filter(Boolean),
      )
      .subscribe(() => this.askForPassword());
    // Signed in again here or in another tab: the cookie is shared, so sync can go on.
    this.sessions.logins$.subscribe(() => {
      if (this.open) this.open.close(true);
      else if (this.replication.syncStatus().sessionExpired) this.replication.resume();
    });
    // Signed out meanwhile (a logout in another tab, which deleted this device's data, or the
    // proxy's answer at a start): the dialog's user and its "nothing is lost" no longer hold.
    effect(
      () => {
        if (!this.sessions.session()) untracked(() => this.open?.close(false));
      },
      { injector: this.injector },
    );
  }

  /** Opens the re-login dialog (also offered on the sync status page after "Later"). */
  askForPassword(): void {
    const name = this.sessions.session()?.name;
    if (!name || this.open) return;
    this.open = this.dialog.open<ReloginDialog, ReloginData, boolean>(ReloginDialog, {
      data: { name },
      disableClose: true,
    });
    this.open.afterClosed().subscribe((signedIn) => {
      this.open = null;
      if (signedIn) this.replication.resume();
    });
  }
}
