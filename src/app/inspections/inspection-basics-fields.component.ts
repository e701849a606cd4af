import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { ControlContainer, FormGroupDirective, ReactiveFormsModule } from '@angular/forms';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { FieldErrors } from '../data/validation-bridge';
import { FieldErrorComponent } from '../shared/field-error.component';
import { FieldLabels, errorStateFor } from '../shared/form-errors';

/** The basics' labels, which their messages start with. */
export const BASICS_LABELS: FieldLabels<'title' | 'site' | 'scheduledFor'> = {
  title: $localize`:@@field.title:Title`,
  site: $localize`:@@field.site:Site`,
  scheduledFor: $localize`:@@field.scheduledFor:Scheduled for`,
};

/**
 * Title, site and scheduled date of an inspection, with their rule messages: the same
 * fields wherever an inspection is created or edited. They bind to the `title`, `site` and
 * `scheduledFor` controls of the enclosing `[formGroup]`. A field with a message is outlined
 * as invalid (Material's error state).
 */
@Component({
  selector: 'app-inspection-basics-fields',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, FieldErrorComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  viewProviders: [{ provide: ControlContainer, useExisting: FormGroupDirective }],
  template: `
    <mat-form-field appearance="outline">
      <mat-label>{{ labels.title }}</mat-label>
      <input matInput formControlName="title" [errorStateMatcher]="matchers.title" [attr.data-testid]="testIdPrefix() + '-title'" />
    </mat-form-field>
    <app-field-error field="title" [name]="labels.title" [errors]="errors()" />
    <mat-form-field appearance="outline">
      <mat-label>{{ labels.site }}</mat-label>
      <input matInput formControlName="site" [errorStateMatcher]="matchers.site" [attr.data-testid]="testIdPrefix() + '-site'" />
    </mat-form-field>
    <app-field-error field="site" [name]="labels.site" [errors]="errors()" />
    <mat-form-field appearance="outline">
      <mat-label>{{ labels.scheduledFor }}</mat-label>
      <input
        matInput
        type="date"
        formControlName="scheduledFor"
        [errorStateMatcher]="matchers.scheduledFor"
        [attr.data-testid]="testIdPrefix() + '-scheduled'"
      />
    </mat-form-field>
    <app-field-error field="scheduledFor" [name]="labels.scheduledFor" [errors]="errors()" />
  `,
  // Lay the fields out as children of the enclosing form.
  styles: `
    :host {
      display: contents;
    }
  `,
})
export class InspectionBasicsFieldsComponent {
  readonly errors = input.required<FieldErrors>();
  /** `data-testid` prefix of the inputs (`<prefix>-title`, ...). */
  readonly testIdPrefix = input.required<string>();

  protected readonly labels = BASICS_LABELS;
  protected readonly matchers = {
    title: errorStateFor(this.errors, 'title'),
    site: errorStateFor(this.errors, 'site'),
    scheduledFor: errorStateFor(this.errors, 'scheduledFor'),
  };
}
