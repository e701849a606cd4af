import { DOCUMENT, DestroyRef, Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatSnackBar } from '@angular/material/snack-bar';
import { SwUpdate, VersionReadyEvent } from '@angular/service-worker';
import { filter, fromEvent, merge } from 'rxjs';
import { DraftStore } from '../drafts/draft-store.service';
import { RELOAD_PAGE } from './reload-page';

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
  private readonly drafts = inject(DraftStore);
  private readonly document = inject(DOCUMENT);
  private readonly reloadPage = inject(RELOAD_PAGE);
  private readonly destroyRef = inject(DestroyRef);
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
        .subscribe(() => void this.reload());
    });
    // A broken cache cannot be repaired in place; reloading fetches the app afresh.
    this.updates.unrecoverable.subscribe(() => void this.reload());
    // The service worker looks for a new version when the app is opened, and a tablet keeps it
    // open for days, often out of coverage then: look again when it is back online or on screen.
    const onScreen = fromEvent(this.document, 'visibilitychange').pipe(filter(() => !this.document.hidden));
    merge(fromEvent(this.document.defaultView!, 'online'), onScreen)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => {
        this.updates.checkForUpdate().catch((error: unknown) => console.warn('Looking for an app update failed', error));
      });
  }

  /** Loads the new version, once what open forms have typed is kept (typing not paused yet would go with the page). */
  async reload(): Promise<void> {
    // A write that fails (storage full) must not keep the page on a version it has left.
    await this.drafts.writeTyped().catch((error: unknown) => console.error('Keeping typing before the reload failed', error));
    this.reloadPage();
  }
}
