import { Injectable, inject, signal } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { SwUpdate, VersionReadyEvent } from '@angular/service-worker';
import { filter } from 'rxjs';

/**
 * Offers a reload when the service worker has downloaded a new app version: once as a notice,
 * and for good in the toolbar (`ready`), since Material shows one notice at a time and any
 * later one (a draft kept, a reassignment) would otherwise take the offer away until the app
 * is started again, which a tablet may not do for days.
 */
@Injectable({ providedIn: 'root' })
export class UpdatePromptService {
  private readonly updates = inject(SwUpdate);
  private readonly snackBar = inject(MatSnackBar);
  private readonly downloaded = signal(false);

  /** Whether a new version waits for a reload. */
  readonly ready = this.downloaded.asReadonly();

  /** Starts watching; called once by the app shell. */
  watch(): void {
    if (!this.updates.isEnabled) return;
    this.updates.versionUpdates.pipe(filter((event): event is VersionReadyEvent => event.type === 'VERSION_READY')).subscribe(() => {
      this.downloaded.set(true);
      this.snackBar
        .open($localize`:@@update.available:An update is available.`, $localize`:@@update.reload:Reload`)
        .onAction()
        .subscribe(() => this.reload());
    });
    // A broken cache cannot be repaired in place; reloading fetches the app afresh.
    this.updates.unrecoverable.subscribe(() => this.reload());
  }

  reload(): void {
    document.location.reload();
  }
}
