import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { ControlContainer, FormGroupDirective, ReactiveFormsModule } from '@angular/forms';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { FieldErrors } from '../data/validation-bridge';
import { FieldErrorComponent } from '../shared/field-error.component';

/**
 * Title, site and scheduled date of an inspection, with their rule messages: the same
 * fields wherever an inspection is created or edited. They bind to the `title`, `site` and
 * `scheduledFor` controls of the enclosing `[formGroup]`.
 */
@Component({
  selector: 'app-inspection-basics-fields',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, FieldErrorComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  viewProviders: [{ provide: ControlContainer, useExisting: FormGroupDirective }],
  template: `
    <mat-form-field appearance="outline">
      <mat-label>Title</mat-label>
      <input matInput formControlName="title" [attr.data-testid]="testIdPrefix() + '-title'" />
    </mat-form-field>
    <app-field-error field="title" [errors]="errors()" />
    <mat-form-field appearance="outline">
      <mat-label>Site</mat-label>
      <input matInput formControlName="site" [attr.data-testid]="testIdPrefix() + '-site'" />
    </mat-form-field>
    <app-field-error field="site" [errors]="errors()" />
    <mat-form-field appearance="outline">
      <mat-label>Scheduled for</mat-label>
      <input matInput type="date" formControlName="scheduledFor" [attr.data-testid]="testIdPrefix() + '-scheduled'" />
    </mat-form-field>
    <app-field-error field="scheduledFor" [errors]="errors()" />
  `,
  // Lay the fields out as children of the enclosing form.
  styles: `:host { display: contents; }`,
})
export class InspectionBasicsFieldsComponent {
  readonly errors = input.required<FieldErrors>();
  /** `data-testid` prefix of the inputs (`<prefix>-title`, ...). */
  readonly testIdPrefix = input.required<string>();
}
