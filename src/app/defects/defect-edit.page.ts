import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { readOnlyBecause } from '../../../domain/doc-rules';
import { Defect, DefectStatus } from '../../../domain/doc-types';
import { SessionService } from '../core/session.service';
import { DefectInput, DefectStoreService, PhotoRef, StoredDefect, photosOf } from '../data/defect-store.service';
import { PhotoStripComponent } from '../photos/photo-strip.component';
import { RecordBadgeComponent } from '../sync/record-badge.component';
import { confirm } from '../shared/confirm';
import { EditNoticesComponent } from '../shared/edit-notices.component';
import { EditableDoc } from '../shared/editable-doc';
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
    EditNoticesComponent,
    FieldErrorComponent,
    PhotoStripComponent,
    RecordBadgeComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (editable.missing()) {
      <p class="missing" data-testid="defect-missing">
        This defect no longer exists. <a [routerLink]="['/inspections', id()]">Back to the inspection</a>
      </p>
    } @else {
      <header class="head">
        <a mat-button [routerLink]="['/inspections', id()]">← Inspection</a>
        <h1>{{ defect() ? 'Defect' : 'New defect' }}</h1>
        @if (defect(); as doc) {
          <app-record-badge [doc]="doc" [showReason]="true" />
        }
      </header>
      <app-edit-notices [doc]="editable" />
      @switch (readOnly()) {
        @case ('submitted') {
          <p class="read-only" data-testid="read-only-reason">Submitted — read-only until your supervisor reviews it.</p>
        }
        @case ('approved') {
          <p class="read-only" data-testid="read-only-reason">Approved — read-only.</p>
        }
      }
      <form [formGroup]="form" (ngSubmit)="save()" novalidate>
        <mat-form-field appearance="outline">
          <mat-label>Title</mat-label>
          <input matInput formControlName="title" data-testid="defect-title" />
        </mat-form-field>
        <app-field-error field="title" [errors]="editable.errors()" />
        <mat-form-field appearance="outline">
          <mat-label>Description</mat-label>
          <textarea matInput rows="3" formControlName="description" data-testid="defect-description"></textarea>
        </mat-form-field>
        <app-field-error field="description" [errors]="editable.errors()" />
        <mat-form-field appearance="outline">
          <mat-label>Location</mat-label>
          <input matInput formControlName="location" data-testid="defect-location" placeholder="e.g. Level 2, north stairwell" />
        </mat-form-field>
        <app-field-error field="location" [errors]="editable.errors()" />
        <div class="row">
          <span class="label">Severity</span>
          <mat-button-toggle-group formControlName="severity" aria-label="Severity" data-testid="defect-severity">
            @for (level of severities; track level) {
              <mat-button-toggle [value]="level" [attr.data-testid]="'severity-' + level">{{ level }}</mat-button-toggle>
            }
          </mat-button-toggle-group>
        </div>
        <app-field-error field="severity" [errors]="editable.errors()" />
        <mat-form-field appearance="outline">
          <mat-label>Status</mat-label>
          <mat-select formControlName="status" data-testid="defect-status">
            @for (status of statuses; track status) {
              <mat-option [value]="status">{{ statusLabels[status] }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <app-field-error field="status" [errors]="editable.errors()" />

        <h2>Photos</h2>
        <app-field-error field="_attachments" [errors]="editable.errors()" name="Photo" />
        @if (defect(); as doc) {
          <app-photo-strip [docId]="doc._id" [photos]="photos()" [busy]="storingPhoto()" [readonly]="readOnly() !== null" (add)="addPhoto($event)" (remove)="removePhoto($event)" />
        } @else {
          <p class="hint">Save the defect to add photos.</p>
        }

        @if (readOnly() === null) {
          <div class="actions">
            @if (defect()) {
              <button mat-button type="button" class="danger" data-testid="delete-defect" (click)="remove()">Delete</button>
            }
            <span class="spacer"></span>
            <button mat-flat-button type="submit" data-testid="save-defect" [disabled]="editable.saving()">Save</button>
          </div>
        }
      </form>
    }
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
    .missing { padding: 32px; text-align: center; }
    .read-only { padding: 12px 16px; border-radius: 8px; margin: 12px 0; background: #fef7e0; font-weight: 500; }
  `,
})
export class DefectEditPage {
  private readonly store = inject(DefectStoreService);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);
  private readonly session = inject(SessionService);

  /** The inspection (route `inspections/:id/defects/...`). */
  readonly id = input.required<string>();
  /** The defect, absent on `.../defects/new`. */
  readonly defectId = input<string>();

  protected readonly severities = [1, 2, 3, 4, 5] as const;
  protected readonly statuses = Object.keys(STATUS_LABELS) as DefectStatus[];
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly storingPhoto = signal(false);

  protected readonly form = new FormGroup({
    title: new FormControl('', { nonNullable: true }),
    description: new FormControl('', { nonNullable: true }),
    location: new FormControl('', { nonNullable: true }),
    severity: new FormControl<Defect['severity']>(3, { nonNullable: true }),
    status: new FormControl<DefectStatus>('open', { nonNullable: true }),
  });

  protected readonly editable = new EditableDoc<StoredDefect>({
    id: this.defectId,
    load: (id) => this.store.get(id),
    edited: () => this.form.dirty,
    show: (doc) => {
      this.form.reset({
        title: doc.title,
        description: doc.description ?? '',
        location: doc.location ?? '',
        severity: doc.severity,
        status: doc.status,
      });
      if (this.readOnlyFor(doc)) this.form.disable({ emitEvent: false });
      else this.form.enable({ emitEvent: false });
    },
    noun: 'defect',
  });
  protected readonly defect = this.editable.doc;
  protected readonly photos = computed<PhotoRef[]>(() => photosOf(this.defect() ?? {}));
  /** Why the rules refuse this user any change: the defect's copy of its inspection's status says submitted or approved. */
  protected readonly readOnly = computed(() => this.readOnlyFor(this.defect()));

  private readOnlyFor(doc: Defect | null) {
    return readOnlyBecause(doc?.inspectionStatus, { roles: this.session.session()?.roles ?? [] });
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
    const existing = this.defect();
    const saved = await this.editable.save(() => (existing ? this.store.update(existing, input) : this.store.create(this.id(), input)));
    // A new defect continues on its own page, where photos can be added.
    if (saved && !existing) {
      await this.router.navigate(['/inspections', this.id(), 'defects', this.defect()!._id], { replaceUrl: true });
    }
  }

  protected async addPhoto(file: File): Promise<void> {
    this.storingPhoto.set(true);
    await this.editable.saveAlongside(
      async (doc) => (await this.store.addPhoto(doc, file)).rev,
      'This image could not be read. Try another photo.',
    );
    this.storingPhoto.set(false);
  }

  protected async removePhoto(ref: PhotoRef): Promise<void> {
    await this.editable.saveAlongside((doc) => this.store.removePhoto(doc, ref));
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
}
