import { ChangeDetectionStrategy, Component, ElementRef, inject, signal, viewChild } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { LoginError, SessionService } from '../core/session.service';
import { RetryWait } from './retry-wait';
import { retypePassword } from './retype-password';

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
        @if (error(); as message) {
          <p class="error" role="alert" data-testid="relogin-error">{{ message }}</p>
        }
        @if (wait(); as wait) {
          <p class="error" data-testid="relogin-wait" i18n="@@login.wait">Try again in {{ wait }}.</p>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" [mat-dialog-close]="false" i18n="@@relogin.later">Later</button>
        <button mat-flat-button type="submit" data-testid="relogin-submit" [disabled]="busy() || waitSeconds() > 0" i18n="@@login.submit">
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
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  /** Before the proxy takes another try (after a 429 with Retry-After). */
  private readonly retry = new RetryWait(() => this.error.set(null));
  protected readonly waitSeconds = this.retry.seconds;
  protected readonly wait = this.retry.text;
  private readonly password = viewChild.required<ElementRef<HTMLInputElement>>('password');

  protected async submit(): Promise<void> {
    const { password } = this.form.getRawValue();
    if (!password || this.waitSeconds() > 0) return;
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.sessions.login(this.data.name, password);
      this.ref.close(true);
    } catch (error) {
      this.error.set(error instanceof LoginError ? error.message : $localize`:@@relogin.failed:Sign-in failed.`);
      if (error instanceof LoginError && error.retryAfterSeconds) this.retry.start(error.retryAfterSeconds);
      if (error instanceof LoginError && error.status === 401) retypePassword(this.password());
    } finally {
      this.busy.set(false);
    }
  }
}
