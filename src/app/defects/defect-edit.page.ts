import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router, RouterLink } from '@angular/router';
import { filter, from, startWith, switchMap } from 'rxjs';
import { Defect, DefectStatus } from '../../../domain/doc-types';
import { DefectInput, DefectStoreService, PhotoRef, StoredDefect, photosOf } from '../data/defect-store.service';
import { InspectionStoreService } from '../data/inspection-store.service';
import { FieldErrors, ValidationError, fieldErrors } from '../data/validation-bridge';
import { SyncLedgerService } from '../core/sync-ledger.service';
import { PhotoStripComponent } from '../photos/photo-strip.component';
import { RecordBadgeComponent } from '../sync/record-badge.component';
import { confirm } from '../shared/confirm';
import { FieldErrorComponent } from '../shared/field-error.component';

const STATUS_LABELS: Record<DefectStatus, string> = { open: 'Open', fixed: 'Fixed', wont_fix: "Won't fix" };

/** Create or edit one defect of an inspection, with its photos. */
@Component({
  selector: 'app-defect-edit-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatButtonToggleModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    FieldErrorComponent,
    PhotoStripComponent,
    RecordBadgeComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="head">
      <a mat-button [routerLink]="['/inspections', id()]">← Inspection</a>
      <h1>{{ defect() ? 'Defect' : 'New defect' }}</h1>
      @if (defect(); as doc) {
        <app-record-badge [doc]="doc" [showReason]="true" />
      }
    </header>
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <mat-form-field appearance="outline">
        <mat-label>Title</mat-label>
        <input matInput formControlName="title" data-testid="defect-title" />
      </mat-form-field>
      <app-field-error field="title" [errors]="errors()" />
      <mat-form-field appearance="outline">
        <mat-label>Description</mat-label>
        <textarea matInput rows="3" formControlName="description" data-testid="defect-description"></textarea>
      </mat-form-field>
      <app-field-error field="description" [errors]="errors()" />
      <mat-form-field appearance="outline">
        <mat-label>Location</mat-label>
        <input matInput formControlName="location" data-testid="defect-location" placeholder="e.g. Level 2, north stairwell" />
      </mat-form-field>
      <app-field-error field="location" [errors]="errors()" />
      <div class="row">
        <span class="label">Severity</span>
        <mat-button-toggle-group formControlName="severity" aria-label="Severity" data-testid="defect-severity">
          @for (level of severities; track level) {
            <mat-button-toggle [value]="level" [attr.data-testid]="'severity-' + level">{{ level }}</mat-button-toggle>
          }
        </mat-button-toggle-group>
      </div>
      <app-field-error field="severity" [errors]="errors()" />
      <mat-form-field appearance="outline">
        <mat-label>Status</mat-label>
        <mat-select formControlName="status" data-testid="defect-status">
          @for (status of statuses; track status) {
            <mat-option [value]="status">{{ statusLabels[status] }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <app-field-error field="status" [errors]="errors()" />

      <h2>Photos</h2>
      <app-field-error field="_attachments" [errors]="errors()" name="Photo" />
      @if (defect(); as doc) {
        <app-photo-strip [docId]="doc._id" [photos]="photos()" [busy]="storingPhoto()" (add)="addPhoto($event)" (remove)="removePhoto($event)" />
      } @else {
        <p class="hint">Save the defect to add photos.</p>
      }

      <div class="actions">
        @if (defect()) {
          <button mat-button type="button" class="danger" data-testid="delete-defect" (click)="remove()">Delete</button>
        }
        <span class="spacer"></span>
        <button mat-flat-button type="submit" data-testid="save-defect" [disabled]="saving()">Save</button>
      </div>
    </form>
  `,
  styles: `
    :host { display: block; padding: 16px; max-width: 820px; margin: 0 auto; }
    .head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
    .head h1 { flex: 1; margin: 0; }
    form { display: flex; flex-direction: column; }
    .row { display: flex; align-items: center; gap: 16px; margin-bottom: 16px; }
    .label { color: #5f6368; }
    .hint { color: #5f6368; }
    .actions { display: flex; gap: 12px; align-items: center; margin: 24px 0; }
    .spacer { flex: 1; }
    .danger { color: #b3261e; }
  `,
})
export class DefectEditPage {
  private readonly store = inject(DefectStoreService);
  private readonly inspections = inject(InspectionStoreService);
  private readonly ledger = inject(SyncLedgerService);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly router = inject(Router);

  /** The inspection (route `inspections/:id/defects/...`). */
  readonly id = input.required<string>();
  /** The defect, absent on `.../defects/new`. */
  readonly defectId = input<string>();

  protected readonly severities = [1, 2, 3, 4, 5] as const;
  protected readonly statuses = Object.keys(STATUS_LABELS) as DefectStatus[];
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly defect = signal<StoredDefect | null>(null);
  protected readonly photos = computed<PhotoRef[]>(() => photosOf(this.defect() ?? {}));
  protected readonly errors = signal<FieldErrors>({});
  protected readonly saving = signal(false);
  protected readonly storingPhoto = signal(false);

  protected readonly form = new FormGroup({
    title: new FormControl('', { nonNullable: true }),
    description: new FormControl('', { nonNullable: true }),
    location: new FormControl('', { nonNullable: true }),
    severity: new FormControl<Defect['severity']>(3, { nonNullable: true }),
    status: new FormControl<DefectStatus>('open', { nonNullable: true }),
  });

  constructor() {
    // Follow edits from sync or other tabs while the form is untouched.
    toObservable(this.defectId)
      .pipe(
        switchMap((id) => this.inspections.changes$.pipe(filter((changed) => changed === id), startWith(id))),
        filter((id): id is string => !!id && !this.form.dirty),
        // Inside the stream, a load still running when the page closes ends with it.
        switchMap((id) => from(this.load(id))),
        takeUntilDestroyed(),
      )
      .subscribe();
  }

  protected async save(): Promise<void> {
    const { title, description, location, severity, status } = this.form.getRawValue();
    const input: DefectInput = {
      title,
      severity,
      status,
      description: description.trim() ? description : undefined,
      location: location.trim() ? location : undefined,
    };
    this.saving.set(true);
    try {
      const existing = this.defect();
      const saved = existing ? await this.store.update(existing, input) : await this.store.create(this.id(), input);
      this.errors.set({});
      this.form.markAsPristine();
      if (existing) await this.load(saved._id);
      // A new defect continues on its own page, where photos can be added.
      else await this.router.navigate(['/inspections', this.id(), 'defects', saved._id], { replaceUrl: true });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.errors.set(error.errors);
    } finally {
      this.saving.set(false);
    }
  }

  protected async addPhoto(file: File): Promise<void> {
    const doc = this.defect();
    if (!doc) return;
    this.storingPhoto.set(true);
    try {
      await this.store.addPhoto(doc._id, file);
      await this.load(doc._id);
    } catch (error) {
      if (error instanceof ValidationError) this.errors.set(error.errors);
      else this.snackBar.open('This image could not be read. Try another photo.', 'OK', { duration: 5000 });
    } finally {
      this.storingPhoto.set(false);
    }
  }

  protected async removePhoto(ref: PhotoRef): Promise<void> {
    const doc = this.defect();
    if (!doc) return;
    await this.store.removePhoto(doc._id, ref);
    await this.load(doc._id);
  }

  protected async remove(): Promise<void> {
    const doc = this.defect();
    if (!doc) return;
    const confirmed = await confirm(this.dialog, {
      title: 'Delete this defect?',
      message: `"${doc.title}" and its photos will be deleted on all devices.`,
      confirm: 'Delete',
      cancel: 'Keep',
      testId: 'delete-defect',
    });
    if (!confirmed) return;
    await this.store.remove(doc);
    await this.router.navigate(['/inspections', this.id()]);
  }

  private async load(id: string): Promise<void> {
    const doc = await this.store.get(id);
    this.defect.set(doc);
    this.form.reset({
      title: doc.title,
      description: doc.description ?? '',
      location: doc.location ?? '',
      severity: doc.severity,
      status: doc.status,
    });
    const rejection = this.ledger.rejections()[doc._id];
    // "Edit and retry": show the server's reason next to its field.
    if (rejection && rejection.rev === doc._rev) this.errors.set(fieldErrors([rejection.reason]));
  }
}
