import { DestroyRef, Injectable, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { exhaustMap, timer } from 'rxjs';
import { StorageService } from '../core/storage.service';
import { isNearlyFull, usedPercent } from './quota-share';

/**
 * How often the app asks the browser how full its storage is. A first pull, a day of photos
 * offline or a colleague's photos opened fill it over minutes, not seconds; each look is one
 * `navigator.storage.estimate()`.
 */
const LOOK_EVERY_MS = 5 * 60_000;

/**
 * Whether this device's storage is nearly full, for the notice every page shows
 * (StorageWarningComponent): an inspector does not open the Storage page to find out, and a
 * full storage refuses the next photo.
 */
@Injectable({ providedIn: 'root' })
export class StorageWarningService {
  private readonly storage = inject(StorageService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly full = signal<number | null>(null);
  /** The storage used, in percent, once past the warning share; null below it or when unknown. */
  readonly nearlyFull = this.full.asReadonly();

  /** Looks now and every LOOK_EVERY_MS while the app runs. */
  watch(): void {
    timer(0, LOOK_EVERY_MS)
      .pipe(
        exhaustMap(() => this.look()),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe();
  }

  /** Looks now (after space was freed, the notice should go at once). Never rejects. */
  async look(): Promise<void> {
    try {
      const percent = usedPercent(await this.storage.report());
      this.full.set(isNearlyFull(percent) ? percent : null);
    } catch (error) {
      console.warn('Reading the storage quota failed', error);
    }
  }
}
