import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatSelectModule } from '@angular/material/select';
import { RouterLink } from '@angular/router';
import { Inspection } from '../../../domain/doc-types';
import { inspectionOwner } from '../../../domain/inspection-owner';
import { apiErrorMessage } from '../core/api-error-message';
import { today } from '../data/inspection-store.service';
import { FieldErrors, ValidationError } from '../data/validation-bridge';
import { AppDatePipe } from '../shared/date-format';
import { FieldErrorComponent } from '../shared/field-error.component';
import { FieldLabels, FormErrors, requiredValue } from '../shared/form-errors';
import { DirectoryErrorComponent } from './directory-error.component';
import { DirectoryState } from './directory-state';
import { HubService } from './hub.service';
import { BASICS_LABELS, InspectionBasicsFieldsComponent } from '../inspections/inspection-basics-fields.component';

/** The assign form's labels, which its messages start with. */
const ASSIGN_LABELS: FieldLabels<'title' | 'site' | 'scheduledFor' | 'assignedTo'> = {
  ...BASICS_LABELS,
  assignedTo: $localize`:@@field.assignedTo:Inspector`,
};

/**
 * The supervisor's desk: assign inspections to inspectors, and the submissions waiting for review
 * (each opens its review page). Submissions reach the hub by server-side replication; the list
 * follows the hub's changes feed (HubService.submitted$), so a new submission shows as it
 * arrives and one decided elsewhere leaves, with no polling while nothing changes.
 */
@Component({
  selector: 'app-supervisor-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    AppDatePipe,
    MatButtonModule,
    MatFormFieldModule,
    MatSelectModule,
    FieldErrorComponent,
    InspectionBasicsFieldsComponent,
    DirectoryErrorComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 720px' },
  template: `
    <h1 i18n="@@supervisor.heading">Supervisor</h1>
    <section>
      <h2 i18n="@@supervisor.assign.heading">Assign inspection</h2>
      <form [formGroup]="form" (ngSubmit)="assign()" novalidate>
        <app-inspection-basics-fields [errors]="formErrors.messages()" testIdPrefix="assign" />
        <mat-form-field appearance="outline">
          <mat-label>{{ labels.assignedTo }}</mat-label>
          <mat-select formControlName="assignedTo" [errorStateMatcher]="formErrors.matcher('assignedTo')" data-testid="assign-inspector">
            @for (name of directory.names()?.inspectors; track name) {
              <mat-option [value]="name">{{ name }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <app-field-error field="assignedTo" [name]="labels.assignedTo" [errors]="formErrors.messages()" />
        <app-directory-error [state]="directory" />
        @if (message(); as text) {
          <p class="message" role="status" data-testid="assign-message">{{ text }}</p>
        }
        @if (assignError(); as text) {
          <p class="error" role="alert" data-testid="assign-error">{{ text }}</p>
        }
        <div class="actions">
          <button mat-flat-button type="submit" data-testid="assign-submit" [disabled]="busy()" i18n="@@supervisor.assign.submit">
            Assign
          </button>
        </div>
      </form>
    </section>

    <section>
      <header class="queue-header">
        <h2 i18n="@@supervisor.waiting">Waiting for review</h2>
        <a mat-button routerLink="/supervisor/team" data-testid="nav-team" i18n="@@supervisor.team">All team inspections</a>
      </header>
      @if (queueError(); as text) {
        <p class="error" role="alert" data-testid="queue-error">{{ text }}</p>
      }
      @if (submitted(); as docs) {
        @for (doc of docs; track doc._id) {
          <a class="row" data-testid="submitted-row" [routerLink]="['/supervisor/inspections', doc._id]">
            <span class="main">
              <span class="title">{{ doc.title }}</span>
              <span class="meta">{{ doc.site }} · {{ doc.scheduledFor | appDate }} · {{ ownerOf(doc) }}</span>
            </span>
            <span class="open" i18n="@@supervisor.review">Review</span>
          </a>
        } @empty {
          <p class="hint" i18n="@@supervisor.nothingWaiting">Nothing is waiting for review.</p>
        }
      } @else if (!queueError()) {
        <p class="hint" data-testid="queue-loading" i18n="@@supervisor.loading">Loading…</p>
      }
    </section>
  `,
  styles: `
    form {
      display: flex;
      flex-direction: column;
    }
    .actions {
      display: flex;
      justify-content: flex-end;
    }
    .queue-header {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
    }
    .row {
      display: flex;
      align-items: center;
      gap: 8px;
      min-height: 56px;
      padding: 8px 0;
      border-bottom: 1px solid var(--mat-sys-outline-variant, #ccc);
      color: inherit;
      text-decoration: none;
    }
    .open {
      color: var(--mat-sys-primary, #3f51b5);
      font-weight: 500;
    }
    .main {
      flex: 1;
      display: flex;
      flex-direction: column;
    }
    .meta,
    .hint {
      font-size: 13px;
      opacity: 0.75;
    }
  `,
})
export class SupervisorPage {
  private readonly hub = inject(HubService);

  /** Whose inspection it is (its assignee, else its creator), as the replication jobs decide. */
  protected readonly ownerOf = inspectionOwner;
  protected readonly labels = ASSIGN_LABELS;
  protected readonly form = new FormGroup({
    title: new FormControl('', { nonNullable: true, validators: requiredValue }),
    site: new FormControl('', { nonNullable: true, validators: requiredValue }),
    scheduledFor: new FormControl(today(), { nonNullable: true, validators: requiredValue }),
    // The rules allow any string; no inspector would assign to nobody.
    assignedTo: new FormControl('', { nonNullable: true, validators: requiredValue }),
  });
  protected readonly directory = new DirectoryState();
  /** The rules' refusal of the last assignment. */
  protected readonly errors = signal<FieldErrors>({});
  /** Why the last Assign failed, when not because of a field. */
  protected readonly assignError = signal('');
  /** Every field's message at once, the form's (required) or the rules'. */
  protected readonly formErrors = new FormErrors(this.form, this.errors);
  protected readonly message = signal('');
  protected readonly busy = signal(false);
  /** The inspections waiting for review, as last read; null until the first read. */
  protected readonly submitted = signal<Inspection[] | null>(null);
  /** Why the last read of them failed: the list stays as it was, and the page does not claim it is empty. */
  protected readonly queueError = signal('');

  constructor() {
    // A failed read or feed (offline, proxy restart) keeps the last list and says why, until the
    // feed is back and a read succeeds.
    this.hub
      .submitted$()
      .pipe(takeUntilDestroyed())
      .subscribe((read) => {
        if ('error' in read) {
          this.queueError.set(
            apiErrorMessage(read.error, $localize`:@@supervisor.queueError:The inspections waiting for review could not be read`),
          );
          return;
        }
        this.queueError.set('');
        this.submitted.set(read.inspections);
      });
    void this.directory.load();
  }

  protected async assign(): Promise<void> {
    const assignment = this.form.getRawValue();
    this.message.set('');
    this.assignError.set('');
    this.errors.set({});
    if (!this.formErrors.submit()) return;
    this.busy.set(true);
    try {
      const saved = await this.hub.assign(assignment);
      this.message.set($localize`:@@supervisor.assigned:Assigned "${saved.title}:title:" to ${saved.assignedTo}:inspector:.`);
      this.form.reset({ scheduledFor: today() });
    } catch (error) {
      // The form keeps what was typed, for Assign to be tried again.
      if (!(error instanceof ValidationError)) {
        this.assignError.set(apiErrorMessage(error, $localize`:@@supervisor.assignFailed:The inspection could not be assigned`));
        return;
      }
      this.errors.set(error.errors);
      this.formErrors.focusFirstInvalid();
    } finally {
      this.busy.set(false);
    }
  }
}
