import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, type ValidatorFn } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSnackBar } from '@angular/material/snack-bar';
import { isArchiveDays, MAX_ARCHIVE_DAYS } from '../../../domain/archive-settings';
import { ArchiveSettingsService } from '../archive/archive-settings.service';
import { apiErrorMessage } from '../core/api-error-message';

/** The server's own rule for a period, so the page refuses what the server would. */
const archiveDaysRule: ValidatorFn = (control) => (isArchiveDays(control.value) ? null : { archiveDays: true });

/** The admin's server-side settings (`npm run settings` on a page): how long approved inspections stay on the tablets. */
@Component({
  selector: 'app-settings-page',
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 1100px' },
  template: `
    <h1 i18n="@@settings.title">Settings</h1>
    <form [formGroup]="form" (ngSubmit)="save()">
      <h2 i18n="@@settings.archiveTitle">Archive</h2>
      <p class="hint" i18n="@@settings.archiveHint">
        Approved inspections leave every inspector's tablet this many days after their approval, once all of it is synced. They stay on the
        server, and inspectors open them from there. Tablets apply a new period when next online.
      </p>
      <div class="form-row">
        <mat-form-field appearance="outline">
          <mat-label i18n="@@settings.archiveDays">Days on the tablets after approval</mat-label>
          <input matInput type="number" min="0" [max]="maxDays" step="1" formControlName="archiveDays" data-testid="archive-days" />
          <mat-hint i18n="@@settings.archiveDaysHint">0 to {{ maxDays }}; 0: as soon as it is synced.</mat-hint>
          <mat-error i18n="@@settings.archiveDaysError">A whole number of days from 0 to {{ maxDays }}.</mat-error>
        </mat-form-field>
        <button mat-flat-button type="submit" [disabled]="busy() || archiveDays.invalid" data-testid="settings-save" i18n="@@settings.save">
          Save
        </button>
      </div>
    </form>
    @if (error(); as text) {
      <p class="error" role="alert" data-testid="settings-error">{{ text }}</p>
    }
  `,
  styles: `
    .form-row mat-form-field {
      flex: 0 1 320px;
    }
  `,
})
export class SettingsPage {
  private readonly settings = inject(ArchiveSettingsService);
  private readonly snackBar = inject(MatSnackBar);

  protected readonly maxDays = MAX_ARCHIVE_DAYS;
  protected readonly archiveDays = new FormControl<number | null>(this.settings.archiveDays(), { validators: archiveDaysRule });
  protected readonly form = new FormGroup({ archiveDays: this.archiveDays });
  protected readonly busy = signal(false);
  protected readonly error = signal('');

  constructor() {
    // The server's period replaces this device's cached one, unless the admin has started typing;
    // unread, the cached one is shown for what it is.
    this.settings.read().then(
      (days) => {
        if (this.archiveDays.pristine) this.archiveDays.setValue(days);
      },
      (error: unknown) =>
        this.error.set(apiErrorMessage(error, $localize`:@@settings.readError:The archive period on the server could not be read`)),
    );
  }

  protected async save(): Promise<void> {
    const days = this.archiveDays.value;
    if (!isArchiveDays(days)) return;
    this.busy.set(true);
    this.error.set('');
    try {
      this.archiveDays.setValue(await this.settings.save(days));
      this.archiveDays.markAsPristine();
      this.snackBar.open($localize`:@@settings.saved:Saved. Tablets apply it when next online.`, undefined, { duration: 4_000 });
    } catch (error) {
      this.error.set(apiErrorMessage(error, $localize`:@@settings.saveError:The archive period could not be saved`));
    } finally {
      this.busy.set(false);
    }
  }
}
