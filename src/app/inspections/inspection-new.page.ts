import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { Router, RouterLink } from '@angular/router';
import { InspectionStoreService, today } from '../data/inspection-store.service';
import { FieldErrors, ValidationError } from '../data/validation-bridge';
import { DraftNoticeComponent } from '../drafts/draft-notice.component';
import { FormDraft } from '../drafts/form-draft';
import { saveFailedMessage } from '../shared/editable-doc';
import { FormErrors } from '../shared/form-errors';
import { InspectionBasicsFieldsComponent } from './inspection-basics-fields.component';

@Component({
  selector: 'app-inspection-new-page',
  imports: [ReactiveFormsModule, RouterLink, MatButtonModule, DraftNoticeComponent, InspectionBasicsFieldsComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 720px' },
  template: `
    <h1 i18n="@@inspections.new">New inspection</h1>
    <app-draft-notice [draft]="draft" />
    @if (failure(); as message) {
      <p class="failure" role="alert" data-testid="save-failure">{{ message }}</p>
    }
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <app-inspection-basics-fields [errors]="formErrors.messages()" testIdPrefix="inspection" />
      <div class="actions">
        <a mat-button routerLink="/inspections" i18n="@@common.cancel">Cancel</a>
        <button mat-flat-button type="submit" data-testid="save-inspection" [disabled]="saving()" i18n="@@common.save">Save</button>
      </div>
    </form>
  `,
  styles: `
    form {
      display: flex;
      flex-direction: column;
    }
    .actions {
      display: flex;
      justify-content: flex-end;
      gap: 12px;
      margin-top: 16px;
    }
  `,
})
export class InspectionNewPage {
  private readonly store = inject(InspectionStoreService);
  private readonly router = inject(Router);

  protected readonly form = new FormGroup({
    title: new FormControl('', { nonNullable: true }),
    site: new FormControl('', { nonNullable: true }),
    scheduledFor: new FormControl(today(), { nonNullable: true }),
  });
  protected readonly errors = signal<FieldErrors>({});
  /** The rules' refusal, every field's at once (the basics outline each field with a message). */
  protected readonly formErrors = new FormErrors(this.form, this.errors);
  protected readonly saving = signal(false);
  /** Why the last save failed, when not because of a field. */
  protected readonly failure = signal<string | null>(null);
  /** What is typed, kept on this device until saved or discarded. */
  readonly draft = new FormDraft({
    key: signal('new-inspection'),
    inspectionId: () => '',
    form: this.form,
    apply: (values) => {
      this.form.patchValue(values);
      this.form.markAsDirty();
    },
  });

  protected async save(): Promise<void> {
    this.saving.set(true);
    try {
      if (await this.draft.save(() => this.create())) await this.router.navigateByUrl('/inspections');
    } finally {
      this.saving.set(false);
    }
  }

  private async create(): Promise<boolean> {
    this.failure.set(null);
    try {
      await this.store.create(this.form.getRawValue());
      return true;
    } catch (error) {
      if (error instanceof ValidationError) {
        this.errors.set(error.errors);
        this.formErrors.focusFirstInvalid();
      } else {
        console.error('Saving the inspection failed', error);
        this.failure.set(await saveFailedMessage(error));
      }
      return false;
    }
  }
}
