import { ChangeDetectionStrategy, Component, DestroyRef, computed, effect, inject, input, signal } from '@angular/core';
import { pendingUntilEvent, takeUntilDestroyed, toObservable, toSignal } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { EMPTY, catchError, filter, from, map, startWith, switchMap } from 'rxjs';
import { readOnlyBecause } from '../../../domain/doc-rules';
import { Defect, DefectStatus } from '../../../domain/doc-types';
import { SessionService } from '../core/session.service';
import { DefectInput, DefectStoreService, PhotoRef, PreparedPhoto, StoredDefect, photosOf } from '../data/defect-store.service';
import { InspectionStoreService, deletionRefused } from '../data/inspection-store.service';
import { AuditHistoryComponent } from '../audit/audit-history.component';
import { PendingPhoto, PhotoStripComponent } from '../photos/photo-strip.component';
import { RecordBadgeComponent } from '../sync/record-badge.component';
import { askBeforeUnload } from '../drafts/ask-before-unload';
import { DraftMergeComponent } from '../drafts/draft-merge.component';
import { DraftNoticeComponent } from '../drafts/draft-notice.component';
import { DraftPhoto, DraftPhotoNotKept } from '../drafts/draft-store.service';
import { FormDraft } from '../drafts/form-draft';
import { confirm } from '../shared/confirm';
import { EditNoticesComponent } from '../shared/edit-notices.component';
import { EditableDoc } from '../shared/editable-doc';
import { FieldErrorComponent } from '../shared/field-error.component';
import { FieldLabels, FormErrors, requiredValue } from '../shared/form-errors';

const STATUS_LABELS: Record<DefectStatus, string> = {
  open: $localize`:@@defect.status.open:Open`,
  fixed: $localize`:@@defect.status.fixed:Fixed`,
  wont_fix: $localize`:@@defect.status.wontFix:Won't fix`,
};

/** The defect form's labels, which its messages start with. */
const LABELS: FieldLabels<'title' | 'description' | 'location' | 'severity' | 'status' | '_attachments'> = {
  title: $localize`:@@field.title:Title`,
  description: $localize`:@@field.description:Description`,
  location: $localize`:@@field.location:Location`,
  severity: $localize`:@@field.severity:Severity`,
  status: $localize`:@@field.status:Status`,
  _attachments: $localize`:@@defect.photoField:Photo`,
};

const UNREADABLE_IMAGE = $localize`:@@defect.unreadableImage:This image could not be read. Try another photo.`;

/** Why a photo of a new defect is not kept with its draft: it stays on the form only. */
const PHOTO_NOT_KEPT: Record<DraftPhotoNotKept['reason'], string> = {
  full: $localize`:@@defect.photoNotKept.full:Drafts on this device already keep as many photos as they can, so this photo is not kept with the draft. It stays here until you leave: save the defect to keep it.`,
  storage: $localize`:@@defect.photoNotKept.storage:This photo could not be kept with the draft: the storage of this device may be full. It stays here until you leave: save the defect to keep it.`,
};

/** What each severity means, shown as the scale's legend. */
export const SEVERITY_LEVELS: readonly { level: Defect['severity']; name: string; meaning: string }[] = [
  { level: 1, name: $localize`:@@severity.1.name:Cosmetic`, meaning: $localize`:@@severity.1.meaning:looks only` },
  { level: 2, name: $localize`:@@severity.2.name:Minor`, meaning: $localize`:@@severity.2.meaning:fix when convenient` },
  { level: 3, name: $localize`:@@severity.3.name:Moderate`, meaning: $localize`:@@severity.3.meaning:fix soon` },
  { level: 4, name: $localize`:@@severity.4.name:Serious`, meaning: $localize`:@@severity.4.meaning:fix urgently` },
  { level: 5, name: $localize`:@@severity.5.name:Critical`, meaning: $localize`:@@severity.5.meaning:dangerous, make safe now` },
];

/** What a new defect's page is told by the page that saved it (router state). */
interface SavedState {
  defectSaved?: boolean;
}

/** A photo picked for a defect not saved yet: shown from its thumbnail, kept with the draft (`kept`), attached on save. */
type HeldPhoto = PreparedPhoto & PendingPhoto & { kept: boolean };

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
    DraftMergeComponent,
    DraftNoticeComponent,
    EditNoticesComponent,
    FieldErrorComponent,
    PhotoStripComponent,
    RecordBadgeComponent,
    AuditHistoryComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 820px' },
  template: `
    @if (editable.missing()) {
      <p class="missing" data-testid="defect-missing" i18n="@@defect.missing">
        This defect no longer exists. <a [routerLink]="['/inspections', id()]">Back to the inspection</a>
      </p>
    } @else {
      <header class="page-head">
        <a mat-button [routerLink]="['/inspections', id()]" i18n="@@defect.back">← Inspection</a>
        @if (defect()) {
          <h1 i18n="@@defect.heading">Defect</h1>
        } @else {
          <h1 i18n="@@defect.newHeading">New defect</h1>
        }
        @if (defect(); as doc) {
          <app-record-badge [doc]="doc" [showReason]="true" />
        }
      </header>
      <app-edit-notices [doc]="editable" [comparable]="!editable.deletedElsewhere()" (compare)="draft.compareLater()" />
      <app-draft-notice [draft]="draft" />
      @if (draft.comparing()) {
        <app-draft-merge [draft]="draft" noun="defect" />
      }
      @switch (readOnly()) {
        @case ('submitted') {
          <p class="read-only" data-testid="read-only-reason" i18n="@@inspection.readOnlySubmitted">
            Submitted — read-only until your supervisor reviews it.
          </p>
        }
        @case ('approved') {
          <p class="read-only" data-testid="read-only-reason" i18n="@@inspection.readOnlyApproved">Approved — read-only.</p>
        }
      }
      <form [formGroup]="form" (ngSubmit)="save()" novalidate [hidden]="draft.comparing()">
        <mat-form-field appearance="outline">
          <mat-label>{{ labels.title }}</mat-label>
          <input matInput formControlName="title" [errorStateMatcher]="formErrors.matcher('title')" data-testid="defect-title" />
        </mat-form-field>
        <app-field-error field="title" [name]="labels.title" [errors]="formErrors.messages()" />
        <mat-form-field appearance="outline">
          <mat-label>{{ labels.description }}</mat-label>
          <textarea
            matInput
            rows="3"
            formControlName="description"
            [errorStateMatcher]="formErrors.matcher('description')"
            data-testid="defect-description"
          ></textarea>
        </mat-form-field>
        <app-field-error field="description" [name]="labels.description" [errors]="formErrors.messages()" />
        <mat-form-field appearance="outline">
          <mat-label>{{ labels.location }}</mat-label>
          <input
            matInput
            formControlName="location"
            [errorStateMatcher]="formErrors.matcher('location')"
            data-testid="defect-location"
            placeholder="e.g. Level 2, north stairwell"
            i18n-placeholder="@@defect.locationPlaceholder"
          />
        </mat-form-field>
        <app-field-error field="location" [name]="labels.location" [errors]="formErrors.messages()" />
        <fieldset class="severity" [class.field-invalid]="!!formErrors.messages()['severity']" data-testid="severity-field">
          <legend class="label">{{ labels.severity }}</legend>
          <mat-button-toggle-group
            formControlName="severity"
            [attr.aria-label]="labels.severity"
            aria-describedby="severity-legend"
            [attr.aria-invalid]="!!formErrors.messages()['severity']"
            data-testid="defect-severity"
          >
            @for (level of severities; track level.level) {
              <mat-button-toggle
                [value]="level.level"
                [aria-label]="level.level + ', ' + level.name"
                [attr.data-testid]="'severity-' + level.level"
                >{{ level.level }}</mat-button-toggle
              >
            }
          </mat-button-toggle-group>
          <ol class="legend" id="severity-legend" data-testid="severity-legend">
            @for (level of severities; track level.level) {
              <li>
                <b>{{ level.level }}</b> {{ level.name }}: {{ level.meaning }}
              </li>
            }
          </ol>
        </fieldset>
        <app-field-error field="severity" [name]="labels.severity" [errors]="formErrors.messages()" />
        <mat-form-field appearance="outline">
          <mat-label>{{ labels.status }}</mat-label>
          <mat-select formControlName="status" [errorStateMatcher]="formErrors.matcher('status')" data-testid="defect-status">
            @for (status of statuses; track status) {
              <mat-option [value]="status">{{ statusLabels[status] }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <app-field-error field="status" [name]="labels.status" [errors]="formErrors.messages()" />

        <h2 i18n="@@defect.photos">Photos</h2>
        <app-field-error field="_attachments" [name]="labels._attachments" [errors]="formErrors.messages()" />
        <app-photo-strip
          [docId]="defect()?._id"
          [photos]="photos()"
          [pending]="heldPhotos()"
          [busy]="storingPhoto() || loadingExisting() || editable.saving()"
          [readonly]="readOnly() !== null"
          (add)="addPhoto($event)"
          (remove)="removePhoto($event)"
          (removePending)="dropHeldPhoto($event)"
        />

        <div class="actions">
          @if (canDelete()) {
            <button mat-button type="button" class="danger" data-testid="delete-defect" (click)="remove()" i18n="@@common.delete">
              Delete
            </button>
          }
          <span class="spacer"></span>
          <!-- A polite live region, there before it says anything, beside the button and covering nothing. -->
          <span class="saved" role="status" data-testid="save-status">
            @if (saved()) {
              <ng-container i18n="@@defect.saved">Saved on this device.</ng-container>
            }
          </span>
          @if (readOnly() === null) {
            <button mat-flat-button type="submit" data-testid="save-defect" [disabled]="saving() || editable.saving()" i18n="@@common.save">
              Save
            </button>
          }
        </div>
      </form>
      @if (defect(); as doc) {
        <app-audit-history [docId]="doc._id" />
      }
    }
  `,
  styles: `
    form {
      display: flex;
      flex-direction: column;
    }
    form[hidden] {
      display: none;
    }
    .severity {
      border: 0;
      padding: 0;
      margin: 0 0 16px;
      min-width: 0;
    }
    .severity .label {
      color: #5f6368;
      padding: 0;
      margin-bottom: 8px;
    }
    .severity mat-button-toggle-group {
      border-radius: 8px;
    }
    .severity mat-button-toggle {
      min-width: 56px;
    }
    .severity.field-invalid mat-button-toggle-group {
      outline: 2px solid var(--mat-sys-error, #b3261e);
      outline-offset: 2px;
    }
    .severity.field-invalid .label {
      color: var(--mat-sys-error, #b3261e);
    }
    .legend {
      list-style: none;
      padding: 0;
      margin: 8px 0 0;
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
      font-size: 13px;
      color: #5f6368;
    }
    .saved {
      color: #137333;
      font-weight: 500;
    }
    .actions {
      display: flex;
      gap: 12px;
      align-items: center;
      margin: 24px 0;
    }
    .spacer {
      flex: 1;
    }
    .danger {
      color: #b3261e;
    }
    .missing {
      padding: 32px;
      text-align: center;
    }
    .read-only {
      padding: 12px 16px;
      border-radius: 8px;
      margin: 12px 0;
      background: #fef7e0;
      font-weight: 500;
    }
  `,
})
export class DefectEditPage {
  private readonly store = inject(DefectStoreService);
  private readonly inspections = inject(InspectionStoreService);
  private readonly dialog = inject(MatDialog);
  private readonly router = inject(Router);
  private readonly session = inject(SessionService);

  /** The inspection (route `inspections/:id/defects/...`). */
  readonly id = input.required<string>();
  /** The defect, absent on `.../defects/new`. */
  readonly defectId = input<string>();

  protected readonly labels = LABELS;
  protected readonly severities = SEVERITY_LEVELS;
  protected readonly statuses = Object.keys(STATUS_LABELS) as DefectStatus[];
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly storingPhoto = signal(false);
  /** A save is under way, from the tap on (it first waits for photos being prepared). */
  protected readonly saving = signal(false);
  /** Photos picked before the defect's first save: kept with the draft as they are picked, until a save attaches them. */
  protected readonly heldPhotos = signal<readonly HeldPhoto[]>([]);
  /** Leaving asks first while there are photos the draft does not keep (sayDraftKept): not stored yet, or they did not fit. */
  readonly unsavedPhotos = computed(() => this.heldPhotos().filter((photo) => !photo.kept).length);
  /** Photos being prepared and kept: a save waits for them. */
  private photoWork: Promise<void> = Promise.resolve();
  /** The last save succeeded and nothing was typed since; a new defect's page is told by the one that created it. */
  protected readonly saved = signal(!!(this.router.currentNavigation()?.extras.state as SavedState | undefined)?.defectSaved);

  protected readonly form = new FormGroup({
    title: new FormControl('', { nonNullable: true, validators: requiredValue }),
    description: new FormControl('', { nonNullable: true }),
    location: new FormControl('', { nonNullable: true }),
    // No default: a new defect's severity is the inspector's choice.
    severity: new FormControl<Defect['severity'] | null>(null, { validators: requiredValue }),
    status: new FormControl<DefectStatus>('open', { nonNullable: true }),
  });

  protected readonly editable = new EditableDoc<StoredDefect>({
    id: this.defectId,
    load: (id) => this.store.get(id),
    edited: () => this.form.dirty,
    show: (doc) => this.form.reset(defectFormValues(doc)),
    typed: () => this.form.getRawValue(),
    noun: 'defect',
    containerGone: $localize`:@@defect.inspectionDeleted:The inspection of this defect was deleted elsewhere, so the defect was not saved. What you typed is still here: copy it if you need it.`,
  });
  /** What is typed, kept on this device until saved or discarded; a new defect's under its inspection. */
  readonly draft = new FormDraft<StoredDefect>({
    key: computed(() => this.defectId() ?? `new-defect:${this.id()}`),
    inspectionId: () => this.id(),
    form: this.form,
    apply: (values) => {
      this.form.patchValue(values);
      this.form.markAsDirty();
    },
    doc: { id: this.defectId, editable: this.editable, valuesOf: defectFormValues },
    photos: {
      restore: (photos) => this.showRestored(photos),
      clear: () => this.dropHeldPhotos(this.heldPhotos()),
    },
  });
  /** Every field's message at once: the form's (required) or the rules'. */
  protected readonly formErrors = new FormErrors(this.form, this.editable.errors);
  protected readonly defect = this.editable.doc;
  protected readonly photos = computed<PhotoRef[]>(() => photosOf(this.defect() ?? {}));
  /** An existing defect not read yet: a photo picked now would be held as if for a new one. */
  protected readonly loadingExisting = computed(() => !!this.defectId() && !this.defect() && !this.editable.missing());
  /** The inspection's status as stored now, followed: a new defect has no copy of it yet. */
  private readonly inspectionStatus = toSignal(
    toObservable(this.id).pipe(
      switchMap((id) =>
        this.inspections.changes$.pipe(
          filter((changed) => changed === id),
          startWith(id),
          switchMap(() =>
            from(this.inspections.get(id)).pipe(
              map((inspection) => inspection.status),
              catchError((error: unknown) => {
                console.error('Reading the inspection failed', error);
                return EMPTY;
              }),
            ),
          ),
        ),
      ),
      // The page is not stable before it knows whether it is read-only.
      pendingUntilEvent(),
    ),
  );
  /**
   * Why the rules refuse this user any change: the defect's copy of its inspection's status says
   * submitted or approved; for a new defect, the inspection's own (it is created with that copy).
   */
  protected readonly readOnly = computed(() =>
    readOnlyBecause(this.defectId() === undefined ? this.inspectionStatus() : this.defect()?.inspectionStatus, {
      roles: this.session.session()?.roles ?? [],
    }),
  );

  /** The rules let this user delete it: its creator while its inspection is open, or a supervisor. */
  protected readonly canDelete = computed(() => {
    const doc = this.defect();
    const session = this.session.session();
    return !!doc && !!session && !deletionRefused(doc, session);
  });

  constructor() {
    // "Saved" stands until the user changes something (showing the stored version leaves the form pristine).
    this.form.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => this.form.dirty && this.saved.set(false));
    inject(DestroyRef).onDestroy(() => this.heldPhotos().forEach((photo) => URL.revokeObjectURL(photo.url)));
    // A reload or an app update would lose them too, not only a move the router's guard sees.
    askBeforeUnload(() => this.unsavedPhotos() > 0);
    // A new defect has no stored version to show disabled: the form follows the read-only state itself.
    effect(() => (this.readOnly() ? this.form.disable({ emitEvent: false }) : this.form.enable({ emitEvent: false })));
  }

  protected async save(): Promise<void> {
    // Save waits for a photo still being prepared: a tap meanwhile would create the defect twice.
    if (this.saving()) return;
    this.saving.set(true);
    try {
      await this.saveOnce();
    } finally {
      this.saving.set(false);
    }
  }

  private async saveOnce(): Promise<void> {
    this.saved.set(false);
    // A photo being kept is saved with the defect, and not left behind in the draft.
    await this.photoWork;
    const existing = this.defect();
    const held = this.heldPhotos();
    // Run again by the draft once the user has merged with a newer version.
    if (!(await this.draft.save(() => this.write(held)))) return this.formErrors.focusFirstInvalid();
    if (existing) return;
    this.dropHeldPhotos(held);
    // A new defect continues on its own page, which says it was saved.
    const state: SavedState = { defectSaved: true };
    await this.router.navigate(['/inspections', this.id(), 'defects', this.defect()!._id], { replaceUrl: true, state });
  }

  /** Writes the form onto the defect shown; a new defect is written with the photos picked for it, in one write: refused, they stay here. */
  private async write(held: readonly HeldPhoto[]): Promise<boolean> {
    if (!this.formErrors.submit()) return false;
    const { title, description, location, severity, status } = this.form.getRawValue();
    const input: DefectInput = {
      title,
      severity: severity!,
      status,
      description: description.trim() ? description : undefined,
      location: location.trim() ? location : undefined,
    };
    const existing = this.defect();
    const saved = await this.editable.save(() =>
      existing ? this.store.update(existing, input) : this.store.create(this.id(), input, held),
    );
    // Typed on while it saved: those values are not saved yet.
    this.saved.set(saved && !this.form.dirty);
    return saved;
  }

  protected async addPhoto(file: File): Promise<void> {
    this.storingPhoto.set(true);
    if (this.defect()) {
      await this.editable.saveAlongside(async (doc) => (await this.store.addPhoto(doc, file)).rev, UNREADABLE_IMAGE);
    } else {
      const held = this.holdPhoto(file);
      this.photoWork = held;
      await held;
    }
    this.storingPhoto.set(false);
  }

  /**
   * Holds a photo picked for a defect not saved yet, downscaled now so an unreadable image is
   * refused at once, and keeps it with the draft: a closed tab does not lose it.
   */
  private async holdPhoto(file: File): Promise<void> {
    this.editable.failure.set(null);
    let held: HeldPhoto;
    try {
      const prepared = await this.store.preparePhoto(file);
      held = { ...prepared, key: prepared.stem, url: URL.createObjectURL(prepared.thumb), kept: false };
    } catch (error) {
      console.error('Reading a photo failed', error);
      this.editable.failure.set(UNREADABLE_IMAGE);
      return;
    }
    this.heldPhotos.update((photos) => [...photos, held]);
    try {
      await this.draft.keepPhoto(held);
    } catch (error) {
      // It stays on the form (saved with the defect), marked; what was typed is kept all the same.
      console.error('Keeping a photo with the draft failed', error);
      this.editable.failure.set(PHOTO_NOT_KEPT[error instanceof DraftPhotoNotKept ? error.reason : 'storage']);
      this.updateHeld(held.stem, { notKept: true });
      return;
    }
    // Removed while it was being kept: the draft lets it go too.
    if (this.heldPhotos().some((photo) => photo.stem === held.stem)) this.updateHeld(held.stem, { kept: true });
    else await this.draft.dropPhotos([held.stem]);
  }

  private updateHeld(stem: string, changes: Partial<HeldPhoto>): void {
    this.heldPhotos.update((photos) => photos.map((photo) => (photo.stem === stem ? { ...photo, ...changes } : photo)));
  }

  /** The photos of a draft restored on opening, shown again (with any picked meanwhile) in the order they were taken. */
  private showRestored(photos: DraftPhoto[]): void {
    const shown = new Set(this.heldPhotos().map((photo) => photo.stem));
    const restored = photos
      .filter((photo) => !shown.has(photo.stem))
      .map((photo): HeldPhoto => ({ ...photo, key: photo.stem, url: URL.createObjectURL(photo.thumb), kept: true }));
    this.heldPhotos.update((held) => [...held, ...restored].sort((a, b) => (a.stem < b.stem ? -1 : a.stem > b.stem ? 1 : 0)));
  }

  protected dropHeldPhoto(photo: PendingPhoto): void {
    const dropped = this.heldPhotos().filter((held) => held.key === photo.key);
    this.dropHeldPhotos(dropped);
    this.draft
      .dropPhotos(dropped.map((held) => held.stem))
      .catch((error: unknown) => console.error('Dropping a photo from the draft failed', error));
  }

  private dropHeldPhotos(photos: readonly HeldPhoto[]): void {
    photos.forEach((photo) => URL.revokeObjectURL(photo.url));
    this.heldPhotos.update((held) => held.filter((photo) => !photos.includes(photo)));
  }

  protected async removePhoto(ref: PhotoRef): Promise<void> {
    await this.editable.saveAlongside((doc) => this.store.removePhoto(doc, ref));
  }

  protected async remove(): Promise<void> {
    const doc = this.defect();
    if (!doc) return;
    const confirmed = await confirm(this.dialog, {
      title: $localize`:@@defect.deleteTitle:Delete this defect?`,
      message: $localize`:@@defect.deleteMessage:"${doc.title}:title:" and its photos will be deleted on all devices.`,
      confirm: $localize`:@@common.delete:Delete`,
      cancel: $localize`:@@common.keep:Keep`,
      testId: 'delete-defect',
    });
    if (!confirmed) return;
    const deleted = await this.editable.delete(
      () => this.store.remove(doc),
      (reason) => $localize`:@@defect.deleteFailed:This defect could not be deleted: ${reason}:reason:.`,
    );
    if (deleted) await this.router.navigate(['/inspections', this.id()]);
  }
}

/** A defect as its form holds it. */
function defectFormValues(doc: Defect) {
  return {
    title: doc.title,
    description: doc.description ?? '',
    location: doc.location ?? '',
    severity: doc.severity as Defect['severity'] | null,
    status: doc.status,
  };
}
