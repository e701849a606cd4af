import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { FormArray, FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router, RouterLink } from '@angular/router';
import { filter, from, startWith, switchMap } from 'rxjs';
import { Inspection } from '../../../domain/doc-types';
import { SyncLedgerService } from '../core/sync-ledger.service';
import { DefectStoreService, StoredDefect, photosOf } from '../data/defect-store.service';
import { InspectionStoreService, newChecklistItem } from '../data/inspection-store.service';
import { WithConflicts } from '../data/read-with-conflicts';
import { FieldErrors, ValidationError, fieldErrors } from '../data/validation-bridge';
import { PhotoThumbComponent } from '../photos/photo-thumb.component';
import { RecordBadgeComponent } from '../sync/record-badge.component';
import { confirm } from '../shared/confirm';
import { FieldErrorComponent } from '../shared/field-error.component';
import { ChecklistItemForm, checklistItemForm, checklistItems } from './checklist-form';
import { INSPECTION_STATUS_LABELS } from './inspection-status';
import { InspectionBasicsFieldsComponent } from './inspection-basics-fields.component';

/** One inspection: details, checklist, defects; edit, submit, delete. */
@Component({
  selector: 'app-inspection-detail-page',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatButtonToggleModule,
    MatFormFieldModule,
    MatInputModule,
    FieldErrorComponent,
    InspectionBasicsFieldsComponent,
    PhotoThumbComponent,
    RecordBadgeComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './inspection-detail.page.html',
  styleUrl: './inspection-detail.page.css',
})
export class InspectionDetailPage {
  private readonly store = inject(InspectionStoreService);
  private readonly defectStore = inject(DefectStoreService);
  private readonly ledger = inject(SyncLedgerService);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);

  /** From the route (`inspections/:id`). */
  readonly id = input.required<string>();

  protected readonly labels = INSPECTION_STATUS_LABELS;
  protected readonly photosOf = photosOf;
  protected readonly inspection = signal<WithConflicts<Inspection> | null>(null);
  protected readonly defects = signal<StoredDefect[]>([]);
  protected readonly missing = signal(false);
  protected readonly errors = signal<FieldErrors>({});
  protected readonly saving = signal(false);
  protected readonly changedElsewhere = signal(false);

  protected readonly checklist = new FormArray<ChecklistItemForm>([]);
  protected readonly form = new FormGroup({
    title: new FormControl('', { nonNullable: true }),
    site: new FormControl('', { nonNullable: true }),
    scheduledFor: new FormControl('', { nonNullable: true }),
    notes: new FormControl('', { nonNullable: true }),
    checklist: this.checklist,
  });

  /** The server's refusal of the revision shown, if any. */
  protected readonly rejection = computed(() => {
    const doc = this.inspection();
    const rejection = doc && this.ledger.rejections()[doc._id];
    return rejection && rejection.rev === doc._rev ? rejection : null;
  });
  /** Inspectors cannot change an approved inspection (the rules refuse it). */
  protected readonly locked = computed(() => this.inspection()?.status === 'approved');
  protected readonly canSubmit = computed(() => ['draft', 'rejected'].includes(this.inspection()?.status ?? ''));

  constructor() {
    // Reload on open, and whenever this inspection or a defect changes (sync, another tab).
    toObservable(this.id)
      .pipe(
        switchMap((id) =>
          this.store.changes$.pipe(
            filter((changed) => changed === id || changed.startsWith('defect:')),
            startWith(id),
          ),
        ),
        // Inside the stream, a load still running when the page closes ends with it.
        switchMap(() => from(this.load())),
        takeUntilDestroyed(),
      )
      .subscribe();
  }

  protected addChecklistItem(): void {
    this.checklist.push(checklistItemForm(newChecklistItem('')));
    this.checklist.markAsDirty();
  }

  protected removeChecklistItem(index: number): void {
    this.checklist.removeAt(index);
    this.checklist.markAsDirty();
  }

  protected save(): Promise<void> {
    return this.write({});
  }

  protected submit(): Promise<void> {
    return this.write({ status: 'submitted' });
  }

  protected async remove(): Promise<void> {
    const doc = this.inspection();
    if (!doc) return;
    const confirmed = await confirm(this.dialog, {
      title: 'Delete this inspection?',
      message: `"${doc.title}" and its ${this.defects().length} defect(s) will be deleted on all devices.`,
      confirm: 'Delete',
      cancel: 'Keep',
      testId: 'delete-inspection',
    });
    if (!confirmed) return;
    await this.store.remove(doc);
    await this.router.navigateByUrl('/inspections');
  }

  protected reload(): Promise<void> {
    this.form.markAsPristine();
    return this.load();
  }

  private async write(changes: Partial<Inspection>): Promise<void> {
    const doc = this.inspection();
    if (!doc) return;
    const { title, site, scheduledFor, notes } = this.form.getRawValue();
    this.saving.set(true);
    try {
      const saved = await this.store.update(doc, {
        title,
        site,
        scheduledFor,
        notes: notes.trim() ? notes : undefined,
        checklist: checklistItems(this.checklist),
        ...changes,
      });
      this.errors.set({});
      this.show(saved);
    } catch (error) {
      if (error instanceof ValidationError) this.errors.set(error.errors);
      else if ((error as { status?: number }).status === 409) this.changedElsewhere.set(true);
      else throw error;
    } finally {
      this.saving.set(false);
    }
  }

  private async load(): Promise<void> {
    const id = this.id();
    try {
      const [doc, defects] = await Promise.all([this.store.get(id), this.defectStore.forInspection(id)]);
      this.defects.set(defects);
      if (this.form.dirty) {
        // Keep what the user typed (a defect's change reloads too); if the inspection itself
        // changed elsewhere, offer to reload instead of silently overwriting either side.
        if (this.inspection()?._rev === doc._rev) this.inspection.set(doc);
        else this.changedElsewhere.set(true);
        return;
      }
      this.show(doc);
    } catch (error) {
      if ((error as { status?: number }).status === 404) this.missing.set(true);
      else throw error;
    }
  }

  private show(doc: WithConflicts<Inspection>): void {
    this.inspection.set(doc);
    this.changedElsewhere.set(false);
    this.checklist.clear({ emitEvent: false });
    for (const item of doc.checklist) this.checklist.push(checklistItemForm(item), { emitEvent: false });
    this.form.reset({ title: doc.title, site: doc.site, scheduledFor: doc.scheduledFor, notes: doc.notes ?? '' });
    if (this.locked()) this.form.disable({ emitEvent: false });
    else this.form.enable({ emitEvent: false });
    const rejection = this.rejection();
    // "Edit and retry": put the server's reason next to the field it is about.
    if (rejection) this.errors.set(fieldErrors([rejection.reason]));
  }
}
