import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MIN_PASSWORD_LENGTH } from '../../../domain/password-rule';
import { FIELDBOOK_ROLES, type FieldbookRole } from '../../../domain/roles';
import { partnerNameProblem } from '../../../domain/user-name';
import { ROLE_LABELS } from './role-labels';

export interface UserDialogData {
  title: string;
  /** Whose account it is: said in the dialog, and filed with the password by password managers. */
  name: string;
  confirm: string;
  /** Asks for a role, starting from this one (the user's current role); without it, for a new password. */
  role?: FieldbookRole | null;
  /**
   * Makes the change: null once made (the dialog closes), else why not, said in the dialog,
   * which stays open with what the admin typed.
   */
  apply(answer: UserDialogResult): Promise<string | null>;
}

export interface UserDialogResult {
  role: FieldbookRole | null;
  /** Only when one was asked for. */
  password?: string;
}

/** Asks for what a change to a login needs: a role, or a new password the admin makes up for the user. */
@Component({
  selector: 'app-user-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatSelectModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ data.title }}</h2>
    <form [formGroup]="form" (ngSubmit)="submit()">
      <mat-dialog-content>
        <input type="hidden" autocomplete="username" [value]="data.name" />
        @if (asksRole) {
          <mat-form-field appearance="outline">
            <mat-label i18n="@@users.role">Role</mat-label>
            <mat-select formControlName="role" data-testid="user-dialog-role">
              @for (role of roles; track role) {
                <mat-option [value]="role">{{ roleLabels[role] }}</mat-option>
              }
            </mat-select>
          </mat-form-field>
        } @else {
          <mat-form-field appearance="outline">
            <mat-label i18n="@@users.newPassword">New password</mat-label>
            <input matInput type="password" formControlName="password" autocomplete="new-password" data-testid="user-dialog-password" />
            <mat-hint i18n="@@users.passwordHint">At least {{ minPasswordLength }} characters.</mat-hint>
          </mat-form-field>
        }
        @if (error(); as text) {
          <p class="error" role="alert" data-testid="user-dialog-error">{{ text }}</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close data-testid="user-dialog-cancel" i18n="@@common.cancel">Cancel</button>
        <button mat-flat-button type="submit" [disabled]="form.invalid || unchanged() || busy()" data-testid="user-dialog-confirm">
          {{ data.confirm }}
        </button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    mat-form-field {
      width: 100%;
    }
  `,
})
export class UserDialog {
  private readonly ref = inject<MatDialogRef<UserDialog>>(MatDialogRef);

  protected readonly data = inject<UserDialogData>(MAT_DIALOG_DATA);
  /** A partner's name becomes a database name, which allows fewer characters than a login's: the server refuses the rest. */
  protected readonly roles = FIELDBOOK_ROLES.filter((role) => role !== 'partner' || !partnerNameProblem(this.data.name));
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly minPasswordLength = MIN_PASSWORD_LENGTH;
  protected readonly asksRole = this.data.role !== undefined;
  protected readonly form = new FormGroup({
    role: new FormControl<FieldbookRole | null>(this.data.role ?? null, this.asksRole ? Validators.required : null),
    // Disabled when not asked: a password field that is not shown must not hold the form back.
    password: new FormControl(
      { value: '', disabled: this.asksRole },
      { nonNullable: true, validators: [Validators.required, Validators.minLength(MIN_PASSWORD_LENGTH)] },
    ),
  });

  private readonly role = toSignal(this.form.controls.role.valueChanges, { initialValue: this.form.controls.role.value });
  /** Picking the role the user already has changes nothing. */
  protected readonly unchanged = computed(() => this.asksRole && this.role() === this.data.role);

  /** One change under way at a time: a second confirm would send it twice. */
  protected readonly busy = signal(false);
  protected readonly error = signal('');

  protected async submit(): Promise<void> {
    if (this.form.invalid || this.unchanged() || this.busy()) return;
    const { role, password } = this.form.getRawValue();
    const answer = this.asksRole ? { role } : { role, password };
    this.busy.set(true);
    this.error.set('');
    const problem = await this.data.apply(answer);
    this.busy.set(false);
    if (problem) this.error.set(problem);
    else this.ref.close();
  }
}
