import { ChangeDetectionStrategy, Component, ElementRef, inject, viewChild } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { SessionService } from '../core/session.service';
import { SignInAttempt } from './sign-in-attempt';

export interface ReloginData {
  name: string;
}

/** The session cookie expired: ask for the password only; local data stays as it is. */
@Component({
  selector: 'app-relogin-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title i18n="@@relogin.title">Session expired</h2>
    <form [formGroup]="form" (ngSubmit)="submit()">
      <mat-dialog-content>
        <p i18n="@@relogin.message">
          Sign in again as <strong>{{ data.name }}</strong> to resume syncing. Nothing on this device is lost.
        </p>
        <input type="hidden" autocomplete="username" [value]="data.name" />
        <mat-form-field appearance="outline">
          <mat-label i18n="@@login.password">Password</mat-label>
          <input
            matInput
            #password
            type="password"
            formControlName="password"
            data-testid="relogin-password"
            autocomplete="current-password"
          />
        </mat-form-field>
        @if (attempt.error(); as message) {
          <p class="error" role="alert" data-testid="relogin-error">{{ message }}</p>
        }
        @if (attempt.wait(); as wait) {
          <p class="error" data-testid="relogin-wait" i18n="@@login.wait">Try again in {{ wait }}.</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" [mat-dialog-close]="false" i18n="@@relogin.later">Later</button>
        <button
          mat-flat-button
          type="submit"
          data-testid="relogin-submit"
          [disabled]="attempt.busy() || attempt.waitSeconds() > 0"
          i18n="@@login.submit"
        >
          Sign in
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
export class ReloginDialog {
  private readonly sessions = inject(SessionService);
  private readonly ref = inject<MatDialogRef<ReloginDialog, boolean>>(MatDialogRef);

  protected readonly data = inject<ReloginData>(MAT_DIALOG_DATA);
  protected readonly form = new FormGroup({
    password: new FormControl('', { nonNullable: true, validators: Validators.required }),
  });
  private readonly password = viewChild.required<ElementRef<HTMLInputElement>>('password');
  protected readonly attempt = new SignInAttempt(this.password, $localize`:@@relogin.failed:Sign-in failed.`);

  protected async submit(): Promise<void> {
    const { password } = this.form.getRawValue();
    if (!password) return;
    await this.attempt.run(async () => {
      await this.sessions.login(this.data.name, password);
      this.ref.close(true);
    });
  }
}
