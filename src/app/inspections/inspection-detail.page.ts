import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { FormArray, FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router, RouterLink } from '@angular/router';
import { EMPTY, catchError, filter, from, startWith, switchMap } from 'rxjs';
import { readOnlyBecause } from '../../../domain/doc-rules';
import { AuditHistoryComponent } from '../audit/audit-history.component';
import { Inspection } from '../../../domain/doc-types';
import { SessionService } from '../core/session.service';
import { DefectStoreService, StoredDefect, photosOf } from '../data/defect-store.service';
import { defectSummary } from '../defects/defect-summary';
import { InspectionStoreService, deletionRefused, newChecklistItem } from '../data/inspection-store.service';
import { WithConflicts } from '../data/read-with-conflicts';
import { PhotoThumbComponent } from '../photos/photo-thumb.component';
import { RecordBadgeComponent } from '../sync/record-badge.component';
import { DraftMergeComponent } from '../drafts/draft-merge.component';
import { DraftNoticeComponent } from '../drafts/draft-notice.component';
import { DraftStore, FormValues } from '../drafts/draft-store.service';
import { FormDraft } from '../drafts/form-draft';
import { ruleViolation } from '../i18n/rule-messages';
import { confirm } from '../shared/confirm';
import { EditNoticesComponent } from '../shared/edit-notices.component';
import { EditableDoc } from '../shared/editable-doc';
import { FieldErrorComponent } from '../shared/field-error.component';
import { ChecklistItemForm, checklistItemForm, checklistItems, unansweredItems } from './checklist-form';
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
    DraftMergeComponent,
    DraftNoticeComponent,
    EditNoticesComponent,
    FieldErrorComponent,
    InspectionBasicsFieldsComponent,
    PhotoThumbComponent,
    RecordBadgeComponent,
    AuditHistoryComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  templateUrl: './inspection-detail.page.html',
  styleUrl: './inspection-detail.page.css',
})
export class InspectionDetailPage {
  private readonly store = inject(InspectionStoreService);
  private readonly defectStore = inject(DefectStoreService);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);
  private readonly session = inject(SessionService);

  /** From the route (`inspections/:id`). */
  readonly id = input.required<string>();

  protected readonly labels = INSPECTION_STATUS_LABELS;
  protected readonly photosOf = photosOf;
  protected readonly defectSummary = defectSummary;
  protected readonly ruleViolation = ruleViolation;
  /** How the page names the fields its rule messages start with. */
  protected readonly fieldNames = {
    notes: $localize`:@@field.notes:Notes`,
    checklist: $localize`:@@inspection.checklist:Checklist`,
    item: $localize`:@@checklist.item:Item`,
    result: $localize`:@@checklist.result:Result`,
  };

  protected readonly checklist = new FormArray<ChecklistItemForm>([]);
  protected readonly form = new FormGroup({
    title: new FormControl('', { nonNullable: true }),
    site: new FormControl('', { nonNullable: true }),
    scheduledFor: new FormControl('', { nonNullable: true }),
    notes: new FormControl('', { nonNullable: true }),
    checklist: this.checklist,
  });

  protected readonly editable = new EditableDoc<WithConflicts<Inspection>>({
    id: this.id,
    load: (id) => this.store.get(id),
    edited: () => this.form.dirty,
    show: (doc) => this.show(doc),
    typed: () => this.form.getRawValue(),
    noun: 'inspection',
  });
  /** What is typed, kept on this device until saved or discarded. */
  readonly draft = new FormDraft<WithConflicts<Inspection>>({
    key: this.id,
    inspectionId: () => this.id(),
    form: this.form,
    apply: (values) => this.apply(values),
    doc: { id: this.id, editable: this.editable, valuesOf: inspectionFormValues },
  });
  protected readonly inspection = this.editable.doc;
  /** Unsaved edits on this device, by form: the defects' are marked in their list. */
  protected readonly drafts = inject(DraftStore).drafts;
  /** Why the rules refuse this user any change (submitted or approved, for an inspector), or null. */
  protected readonly readOnly = computed(() => this.readOnlyFor(this.inspection()?.status));
  protected readonly locked = computed(() => this.readOnly() !== null);
  /** The rules let this user delete it: its creator while it is open, or a supervisor. */
  protected readonly canDelete = computed(() => {
    const doc = this.inspection();
    const session = this.session.session();
    return !!doc && !!session && !deletionRefused(doc, session);
  });
  /** The items a Submit found unanswered, listed until they are answered. */
  protected readonly unanswered = signal<string[]>([]);
  protected readonly canSubmit = computed(() => ['draft', 'rejected'].includes(this.inspection()?.status ?? ''));
  /** The inspection's defects, reread whenever a defect changes (sync, another tab). */
  protected readonly defects = toSignal(
    toObservable(this.id).pipe(
      switchMap((id) =>
        this.store.changes$.pipe(
          filter((changed) => changed.startsWith('defect:')),
          startWith(null),
          // Inside the stream, a read still running when the page closes ends with it.
          switchMap(() =>
            from(this.defectStore.forInspection(id)).pipe(
              catchError((error: unknown) => {
                console.error('Reading the defects failed', error);
                return EMPTY;
              }),
            ),
          ),
        ),
      ),
    ),
    { initialValue: [] as StoredDefect[] },
  );

  constructor() {
    this.checklist.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => {
      if (this.unanswered().length) this.unanswered.set(unansweredItems(this.checklist));
    });
  }

  /** What a screen reader hears for item `position`'s answer and its Remove button. */
  protected itemLabels(position: number): { result: string; remove: string } {
    return {
      result: $localize`:@@checklist.resultOf:Result of item ${position}:number:`,
      remove: $localize`:@@checklist.removeItem:Remove item ${position}:number:`,
    };
  }

  // Dirty before the change: the draft keeps a change only of a form already dirty when it happens.
  protected addChecklistItem(): void {
    this.checklist.markAsDirty();
    this.checklist.push(checklistItemForm(newChecklistItem('')));
  }

  protected removeChecklistItem(index: number): void {
    this.checklist.markAsDirty();
    this.checklist.removeAt(index);
  }

  protected save(): Promise<boolean> {
    return this.draft.save(() => this.write((doc, changes) => this.store.update(doc, changes)));
  }

  /** Submits, with the defects (InspectionStoreService.submit); with unanswered items, lists them instead. */
  protected submit(): Promise<boolean> {
    this.unanswered.set(unansweredItems(this.checklist));
    if (this.unanswered().length) return Promise.resolve(false);
    return this.draft.save(() => this.write((doc, changes) => this.store.submit(doc, changes)));
  }

  protected async remove(): Promise<void> {
    const doc = this.inspection();
    if (!doc) return;
    const defects = this.defects().length;
    const confirmed = await confirm(this.dialog, {
      title: $localize`:@@inspection.deleteTitle:Delete this inspection?`,
      message: defects
        ? $localize`:@@inspection.deleteWithDefects:"${doc.title}:title:" and its defects (${defects}:count:) will be deleted on all devices.`
        : $localize`:@@inspection.deleteMessage:"${doc.title}:title:" will be deleted on all devices.`,
      confirm: $localize`:@@common.delete:Delete`,
      cancel: $localize`:@@common.keep:Keep`,
      testId: 'delete-inspection',
    });
    if (!confirmed) return;
    const deleted = await this.editable.delete(
      () => this.store.remove(doc),
      (reason) => $localize`:@@inspection.deleteFailed:This inspection could not be deleted: ${reason}:reason:.`,
    );
    if (deleted) await this.router.navigateByUrl('/inspections');
  }

  private write(store: (doc: Inspection, changes: Partial<Inspection>) => Promise<Inspection>): Promise<boolean> {
    const doc = this.inspection();
    if (!doc) return Promise.resolve(false);
    const { title, site, scheduledFor, notes } = this.form.getRawValue();
    return this.editable.save(() =>
      store(doc, {
        title,
        site,
        scheduledFor,
        notes: notes.trim() ? notes : undefined,
        checklist: checklistItems(this.checklist),
      }),
    );
  }

  private readOnlyFor(status: string | undefined) {
    return readOnlyBecause(status, { roles: this.session.session()?.roles ?? [] });
  }

  private show(doc: WithConflicts<Inspection>): void {
    this.checklist.clear({ emitEvent: false });
    for (const item of doc.checklist) this.checklist.push(checklistItemForm(item), { emitEvent: false });
    this.form.reset({ title: doc.title, site: doc.site, scheduledFor: doc.scheduledFor, notes: doc.notes ?? '' });
    this.unanswered.set([]);
    if (this.readOnlyFor(doc.status)) this.form.disable({ emitEvent: false });
    else this.form.enable({ emitEvent: false });
  }

  /** Puts a draft's values on the form as typed. */
  private apply(values: FormValues): void {
    const { checklist, ...fields } = values as ReturnType<typeof inspectionFormValues>;
    this.checklist.clear({ emitEvent: false });
    for (const item of checklist) this.checklist.push(checklistItemForm(item), { emitEvent: false });
    this.form.patchValue(fields);
    this.form.markAsDirty();
  }
}

/** An inspection as its form holds it. */
export function inspectionFormValues(doc: Inspection) {
  return {
    title: doc.title,
    site: doc.site,
    scheduledFor: doc.scheduledFor,
    notes: doc.notes ?? '',
    checklist: doc.checklist.map(({ id, label, result, note }) => ({ id, label, result, note: note ?? '' })),
  };
}
