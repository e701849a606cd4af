import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { countFormat } from '../shared/count-format';
import { ArchiveSettingsService } from './archive-settings.service';
import { ArchiveService } from './archive.service';

/** The Sync page's archive card: the server's archive period, and archiving at once instead of when sync next quiets. */
@Component({
  selector: 'app-archive-card',
  imports: [MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 i18n="@@archive.heading">Archive</h2>
    <p class="hint" data-testid="archive-period" i18n="@@archive.period">
      Approved inspections leave this device
      {days(), plural, =0 {as soon as} =1 {one day after} other {{{ count(days()) }} days after}} their approval, once all of it is synced.
      They stay on the server and open from there.
    </p>
    <button mat-stroked-button type="button" data-testid="archive-now" [disabled]="busy()" (click)="archiveNow()" i18n="@@archive.now">
      Archive closed inspections now
    </button>
    @if (result(); as text) {
      <p role="status" data-testid="archive-result">{{ text }}</p>
    }
  `,
})
export class ArchiveCardComponent {
  private readonly archive = inject(ArchiveService);

  protected readonly days = inject(ArchiveSettingsService).archiveDays;
  protected readonly count = countFormat();
  protected readonly busy = signal(false);
  protected readonly result = signal('');

  protected async archiveNow(): Promise<void> {
    this.busy.set(true);
    this.result.set('');
    try {
      const archived = await this.archive.archiveNow();
      this.result.set(
        archived
          ? $localize`:@@archive.done:Inspections archived: ${this.count(archived)}:count:.`
          : $localize`:@@archive.nothing:Nothing to archive now.`,
      );
    } catch {
      this.result.set($localize`:@@archive.failed:Archiving stopped on an error. It is tried again the next time sync is up to date.`);
    } finally {
      this.busy.set(false);
    }
  }
}
