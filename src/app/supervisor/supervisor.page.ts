import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { Subject, catchError, from, of, startWith, switchMap, timer } from 'rxjs';
import { Inspection } from '../../../domain/doc-types';
import { apiErrorMessage } from '../core/api-error-message';
import { today } from '../data/inspection-store.service';
import { FieldErrors, ValidationError } from '../data/validation-bridge';
import { FieldErrorComponent } from '../shared/field-error.component';
import { FieldLabels, FormErrors, requiredValue } from '../shared/form-errors';
import { Directory, DirectoryService } from './directory.service';
import { Decision, HubService } from './hub.service';
import { BASICS_LABELS, InspectionBasicsFieldsComponent } from '../inspections/inspection-basics-fields.component';

/** Submissions reach the hub by server-side replication, so the review list polls for them. */
const REFRESH_MS = 3_000;

/** The assign form's labels, which its messages start with. */
const ASSIGN_LABELS: FieldLabels<'title' | 'site' | 'scheduledFor' | 'assignedTo'> = { ...BASICS_LABELS, assignedTo: 'Inspector' };

/** The supervisor's desk: assign inspections to inspectors, and approve or reject submissions. */
@Component({
  selector: 'app-supervisor-page',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    FieldErrorComponent,
    InspectionBasicsFieldsComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Supervisor</h1>
    <section>
      <h2>Assign inspection</h2>
      <form [formGroup]="form" (ngSubmit)="assign()" novalidate>
        <app-inspection-basics-fields [errors]="formErrors.messages()" testIdPrefix="assign" />
        <mat-form-field appearance="outline">
          <mat-label>{{ labels.assignedTo }}</mat-label>
          <mat-select formControlName="assignedTo" [errorStateMatcher]="formErrors.matcher('assignedTo')" data-testid="assign-inspector">
            @for (name of directory()?.inspectors; track name) {
              <mat-option [value]="name">{{ name }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <app-field-error field="assignedTo" [name]="labels.assignedTo" [errors]="formErrors.messages()" />
        @if (directoryError(); as text) {
          <p class="error" role="alert" data-testid="directory-error">
            {{ text }}
            <button mat-button type="button" data-testid="directory-retry" (click)="loadDirectory()">Try again</button>
          </p>
        }
        @if (message(); as text) {
          <p class="message" role="status" data-testid="assign-message">{{ text }}</p>
        }
        <div class="actions">
          <button mat-flat-button type="submit" data-testid="assign-submit" [disabled]="busy()">Assign</button>
        </div>
      </form>
    </section>

    <section>
      <h2>Waiting for review</h2>
      <div class="review-fields">
        <mat-form-field appearance="outline" class="comment">
          <mat-label>Review comment</mat-label>
          <input matInput [formControl]="comment" data-testid="review-comment" />
        </mat-form-field>
        <mat-form-field appearance="outline" class="partners">
          <mat-label>Share approval with partners</mat-label>
          <mat-select multiple [formControl]="partners" data-testid="review-partners">
            @for (name of directory()?.partners; track name) {
              <mat-option [value]="name">{{ name }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
      </div>
      @for (doc of submitted(); track doc._id) {
        <div class="row" data-testid="submitted-row">
          <span class="main">
            <span class="title">{{ doc.title }}</span>
            <span class="meta">{{ doc.site }} · {{ doc.scheduledFor }} · by {{ doc.assignedTo ?? doc.createdBy }}</span>
          </span>
          <button mat-stroked-button type="button" data-testid="reject" [disabled]="busy()" (click)="review(doc, 'rejected')">
            Reject
          </button>
          <button mat-flat-button type="button" data-testid="approve" [disabled]="busy()" (click)="review(doc, 'approved')">Approve</button>
        </div>
      } @empty {
        <p class="hint">Nothing is waiting for review.</p>
      }
      @if (reviewError(); as text) {
        <p class="error" role="alert">{{ text }}</p>
      }
    </section>
  `,
  styles: `
    :host {
      display: block;
      padding: 16px;
      max-width: 720px;
      margin: 0 auto;
    }
    form {
      display: flex;
      flex-direction: column;
    }
    .actions {
      display: flex;
      justify-content: flex-end;
    }
    .review-fields {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
    .comment {
      flex: 2 1 280px;
    }
    .partners {
      flex: 1 1 200px;
    }
    .row {
      display: flex;
      align-items: center;
      gap: 8px;
      padding: 8px 0;
      border-bottom: 1px solid var(--mat-sys-outline-variant, #ccc);
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
    .error {
      color: var(--mat-sys-error, #b3261e);
    }
  `,
})
export class SupervisorPage {
  private readonly hub = inject(HubService);
  private readonly directoryService = inject(DirectoryService);
  private readonly refresh = new Subject<void>();

  protected readonly labels = ASSIGN_LABELS;
  protected readonly form = new FormGroup({
    title: new FormControl('', { nonNullable: true, validators: requiredValue }),
    site: new FormControl('', { nonNullable: true, validators: requiredValue }),
    scheduledFor: new FormControl(today(), { nonNullable: true, validators: requiredValue }),
    // The rules allow any string; no inspector would assign to nobody.
    assignedTo: new FormControl('', { nonNullable: true, validators: requiredValue }),
  });
  protected readonly comment = new FormControl('', { nonNullable: true });
  protected readonly partners = new FormControl<string[]>([], { nonNullable: true });
  protected readonly directory = signal<Directory | null>(null);
  protected readonly directoryError = signal('');
  /** The rules' refusal of the last assignment. */
  protected readonly errors = signal<FieldErrors>({});
  /** Every field's message at once, the form's (required) or the rules'. */
  protected readonly formErrors = new FormErrors(this.form, this.errors);
  protected readonly message = signal('');
  protected readonly reviewError = signal('');
  protected readonly busy = signal(false);
  protected readonly submitted = signal<Inspection[]>([]);

  constructor() {
    this.refresh
      .pipe(
        startWith(undefined),
        switchMap(() => timer(0, REFRESH_MS)),
        // A failed poll (offline, proxy restart) keeps the last list; the next tick retries.
        switchMap(() => from(this.hub.submitted()).pipe(catchError(() => of(null)))),
        takeUntilDestroyed(),
      )
      .subscribe((docs) => docs && this.submitted.set(docs));
    void this.loadDirectory();
  }

  protected async loadDirectory(): Promise<void> {
    this.directoryError.set('');
    try {
      this.directory.set(await this.directoryService.load());
    } catch (error) {
      this.directoryError.set(apiErrorMessage(error, 'The inspectors and partners could not be loaded'));
    }
  }

  protected async assign(): Promise<void> {
    const assignment = this.form.getRawValue();
    this.message.set('');
    this.errors.set({});
    if (!this.formErrors.submit()) return;
    await this.run(
      async () => {
        const saved = await this.hub.assign(assignment);
        this.message.set(`Assigned "${saved.title}" to ${saved.assignedTo}.`);
        this.form.reset({ scheduledFor: today() });
      },
      (error) => {
        this.errors.set(error.errors);
        this.formErrors.focusFirstInvalid();
      },
    );
  }

  protected async review(doc: Inspection, decision: Decision): Promise<void> {
    this.reviewError.set('');
    await this.run(
      async () => {
        await this.hub.review(doc, decision, this.comment.value, this.partners.value);
        this.comment.reset();
        this.partners.reset();
        this.refresh.next();
      },
      (error) => this.reviewError.set(error.message),
    );
  }

  private async run(work: () => Promise<void>, refused: (error: ValidationError) => void): Promise<void> {
    this.busy.set(true);
    try {
      await work();
    } catch (error) {
      if (error instanceof ValidationError) refused(error);
      // 409: the inspector changed it meanwhile; the refreshed list shows the current version.
      else if ((error as { status?: number }).status === 409) {
        this.reviewError.set('This inspection changed meanwhile; review it again.');
        this.refresh.next();
      } else throw error;
    } finally {
      this.busy.set(false);
    }
  }
}
