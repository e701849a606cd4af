import { ChangeDetectorRef, ElementRef, Injector, Signal, afterNextRender, computed, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { AbstractControl, FormGroup, ValidationErrors, ValidatorFn } from '@angular/forms';
import { ErrorStateMatcher } from '@angular/material/core';
import { FieldErrors } from '../data/validation-bridge';

/** What the screen calls each field of a form: its label, and so the first words of its messages. */
export type FieldLabels<K extends string = string> = Readonly<Record<K, string>>;

/** Required, and for text more than blanks (as the document rules count it). */
export const requiredValue: ValidatorFn = (control: AbstractControl): ValidationErrors | null => {
  const value: unknown = control.value;
  const empty = value === null || value === undefined || (typeof value === 'string' && !value.trim());
  return empty ? { required: true } : null;
};

/** A validator's error as the document rules word the same thing. */
function validatorMessage(errors: ValidationErrors): string {
  if (errors['required']) return $localize`:@@rule.required:is required`;
  if (errors['maxlength']) return $localize`:@@rule.maxLength:must be at most ${errors['maxlength'].requiredLength}:max: characters`;
  return $localize`:@@form.invalid:is not valid`;
}

/** Material's error state (the red outline) for a field exactly when a message is shown for it. */
export function errorStateFor(errors: () => FieldErrors, field: string): ErrorStateMatcher {
  return { isErrorState: () => !!errors()[field] };
}

/** Focusable things inside a field marked invalid: a text input, a select, a toggle. */
const FOCUSABLE = 'input:not([type=hidden]), textarea, select, [tabindex]:not([tabindex="-1"]), button';

/**
 * A form's messages, all at once: a validator's for each control touched (a submit touches
 * them all), else the document rules' refusal (`rules`: of the last save, or the server's), by
 * field. `matcher(field)` gives the field Material's error state exactly when it has a message,
 * and `submit()` / `focusFirstInvalid()` move focus to the first field with one. Create it in a
 * component's injection context.
 */
export class FormErrors {
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef).nativeElement;
  private readonly injector = inject(Injector);
  private readonly changeDetector = inject(ChangeDetectorRef);
  private readonly matchers = new Map<string, ErrorStateMatcher>();

  /** Messages by field, without the label (app-field-error puts the label first). */
  readonly messages: Signal<FieldErrors>;

  constructor(
    private readonly form: FormGroup,
    rules: Signal<FieldErrors>,
  ) {
    // Any value, status or touched change of the form recomputes the messages.
    const changed = toSignal(form.events, { initialValue: null });
    this.messages = computed(() => {
      changed();
      const messages: Record<string, string> = { ...rules() };
      for (const [field, control] of Object.entries(this.form.controls)) {
        if (control.enabled && control.touched && control.errors) messages[field] = validatorMessage(control.errors);
      }
      return messages;
    });
  }

  matcher(field: string): ErrorStateMatcher {
    let matcher = this.matchers.get(field);
    if (!matcher) this.matchers.set(field, (matcher = errorStateFor(this.messages, field)));
    return matcher;
  }

  /** On submit: shows every field's message at once; false, with focus on the first field that has one, if the form is invalid. */
  submit(): boolean {
    this.form.markAllAsTouched();
    if (this.form.valid) return true;
    this.focusFirstInvalid();
    return false;
  }

  /** Once the messages are on screen, focuses the first field (in page order) showing one. */
  focusFirstInvalid(): void {
    this.changeDetector.markForCheck();
    afterNextRender(
      {
        read: () => {
          const field = this.host.querySelector<HTMLElement>('.mat-form-field-invalid, .field-invalid');
          const target = field?.matches(FOCUSABLE) ? field : field?.querySelector<HTMLElement>(FOCUSABLE);
          target?.focus();
        },
      },
      { injector: this.injector },
    );
  }
}
