import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { FieldErrors } from '../data/validation-bridge';
import { fieldLabel } from './field-labels';

/** The rule violation for one field, under that field; `data-testid="error-<field>"` for tests. */
@Component({
  selector: 'app-field-error',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (message(); as text) {
      <div class="field-error" role="alert" [attr.data-testid]="'error-' + field()">{{ label() }} {{ text }}</div>
    }
  `,
  styles: `
    .field-error {
      color: #b3261e;
      font-size: 13px;
      margin: -12px 0 12px 16px;
    }
  `,
})
export class FieldErrorComponent {
  readonly field = input.required<string>();
  readonly errors = input.required<FieldErrors>();
  /** How the field is called on screen, when the rule's field name would be unclear. */
  readonly name = input<string>();

  protected readonly message = computed(() => this.errors()[this.field()]);
  protected readonly label = computed(() => this.name() ?? fieldLabel(this.field()));
}
