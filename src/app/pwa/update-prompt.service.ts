import { Injectable, inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { SwUpdate, VersionReadyEvent } from '@angular/service-worker';
import { filter } from 'rxjs';

/** Offers a reload when the service worker has downloaded a new app version. */
@Injectable({ providedIn: 'root' })
export class UpdatePromptService {
  private readonly updates = inject(SwUpdate);
  private readonly snackBar = inject(MatSnackBar);

  /** Starts watching; called once by the app shell. */
  watch(): void {
    if (!this.updates.isEnabled) return;
    this.updates.versionUpdates.pipe(filter((event): event is VersionReadyEvent => event.type === 'VERSION_READY')).subscribe(() => {
      this.snackBar
        .open($localize`:@@update.available:An update is available.`, $localize`:@@update.reload:Reload`)
        .onAction()
        .subscribe(() => document.location.reload());
    });
    // A broken cache cannot be repaired in place; reloading fetches the app afresh.
    this.updates.unrecoverable.subscribe(() => document.location.reload());
  }
}
