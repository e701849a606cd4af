import { DestroyRef, inject, signal } from '@angular/core';
import { apiErrorMessage } from '../core/api-error-message';
import { Directory, DirectoryService } from './directory.service';

/** The waits before loading again by itself after a failed load, the last repeated. */
export const DIRECTORY_RETRY_MS = [5_000, 15_000, 60_000];

/**
 * The directory a page's pickers offer, and why it could not be loaded: a page that offered
 * empty pickers without a word (a refused or failed `/api/directory`) let a supervisor approve
 * without sharing, believing there were no partners to pick. A failed load is tried again by
 * itself while the page is open (a hub out of reach or restarting comes back), and at once with
 * "Try again". Made in an injection context (a page's field).
 */
export class DirectoryState {
  /** The names to pick from, once loaded. */
  readonly names = signal<Directory | null>(null);
  /** Why the last load failed, for the page to say; empty while none did. */
  readonly error = signal('');

  private readonly service = inject(DirectoryService);
  private failures = 0;
  private retry?: ReturnType<typeof setTimeout>;

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.retry));
  }

  async load(): Promise<void> {
    clearTimeout(this.retry);
    this.error.set('');
    try {
      this.names.set(await this.service.load());
      this.failures = 0;
    } catch (error) {
      this.error.set(apiErrorMessage(error, $localize`:@@supervisor.directoryError:The inspectors and partners could not be loaded`));
      const wait = DIRECTORY_RETRY_MS[Math.min(this.failures++, DIRECTORY_RETRY_MS.length - 1)];
      this.retry = setTimeout(() => void this.load(), wait);
    }
  }
}
