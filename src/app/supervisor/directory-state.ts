import { signal } from '@angular/core';
import { apiErrorMessage } from '../core/api-error-message';
import { Directory, DirectoryService } from './directory.service';

/**
 * The directory a page's pickers offer, and why it could not be loaded: a page that offered
 * empty pickers without a word (a refused or failed `/api/directory`) let a supervisor approve
 * without sharing, believing there were no partners to pick.
 */
export class DirectoryState {
  /** The names to pick from, once loaded. */
  readonly names = signal<Directory | null>(null);
  /** Why the last load failed, for the page to say; empty while none did. */
  readonly error = signal('');

  constructor(private readonly service: DirectoryService) {}

  async load(): Promise<void> {
    this.error.set('');
    try {
      this.names.set(await this.service.load());
    } catch (error) {
      this.error.set(apiErrorMessage(error, $localize`:@@supervisor.directoryError:The inspectors and partners could not be loaded`));
    }
  }
}
