import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { NavigationEnd, Router, RouterLink } from '@angular/router';
import { filter, map } from 'rxjs';
import { StorageWarningService } from './storage-warning.service';

/** Says on every page that the device's storage is nearly full, with the way to free space; the Storage page says it itself. */
@Component({
  selector: 'app-storage-warning',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (percent(); as percent) {
      @if (!onStoragePage()) {
        <p class="notice" role="status" data-testid="storage-nearly-full">
          <span i18n="@@storageNotice.text">Storage on this device is almost full ({{ percent }}% used): new photos may not fit.</span>
          <a routerLink="/storage" data-testid="storage-nearly-full-open" i18n="@@storageNotice.open">Free space</a>
        </p>
      }
    }
  `,
  styles: `
    .notice {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 4px 16px;
      margin: 0;
      padding: 8px 16px;
      background: var(--mat-sys-error-container, #f9dedc);
      color: var(--mat-sys-on-error-container, #410e0b);
    }
    a {
      color: inherit;
      font-weight: 600;
      min-height: 48px;
      display: inline-flex;
      align-items: center;
    }
  `,
})
export class StorageWarningComponent {
  private readonly router = inject(Router);
  protected readonly percent = inject(StorageWarningService).nearlyFull;
  protected readonly onStoragePage = toSignal(
    this.router.events.pipe(
      filter((event) => event instanceof NavigationEnd),
      map(() => this.isStoragePage()),
    ),
    { initialValue: this.isStoragePage() },
  );

  private isStoragePage(): boolean {
    return this.router.url.split(/[?#]/)[0] === '/storage';
  }
}
