import { ChangeDetectionStrategy, Component, ElementRef, inject, viewChild } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { ActivatedRoute, Router } from '@angular/router';
import { Session } from '../core/session.model';
import { LoginError, SessionService } from '../core/session.service';
import { WorkspaceService } from '../core/workspace.service';
import { LanguagePickerComponent } from '../i18n/language-picker.component';
import { RETURN_PARAM, returnPath } from './return-path';
import { SignInAttempt } from './sign-in-attempt';
import { isFailedPageLoad } from '../pwa/page-load-failure';

@Component({
  selector: 'app-login-page',
  imports: [
    ReactiveFormsModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressBarModule,
    LanguagePickerComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-card class="login">
      <mat-card-header><mat-card-title i18n="@@login.title">Sign in to Fieldbook</mat-card-title></mat-card-header>
      @if (attempt.busy()) {
        <mat-progress-bar mode="indeterminate" />
      }
      <form [formGroup]="form" (ngSubmit)="submit()">
        <mat-card-content>
          <mat-form-field appearance="outline">
            <mat-label i18n="@@login.name">User name</mat-label>
            <input matInput formControlName="name" data-testid="login-name" autocomplete="username" autocapitalize="none" required />
          </mat-form-field>
          <mat-form-field appearance="outline">
            <mat-label i18n="@@login.password">Password</mat-label>
            <input
              matInput
              #password
              type="password"
              formControlName="password"
              data-testid="login-password"
              autocomplete="current-password"
              required
            />
          </mat-form-field>
          @if (attempt.error(); as message) {
            <p class="error" role="alert" data-testid="login-error">{{ message }}</p>
          }
          @if (attempt.wait(); as wait) {
            <p class="error" data-testid="login-wait" i18n="@@login.wait">Try again in {{ wait }}.</p>
          }
        </mat-card-content>
        <mat-card-actions align="end">
          <button
            mat-flat-button
            type="submit"
            data-testid="login-submit"
            [disabled]="attempt.busy() || attempt.waitSeconds() > 0"
            i18n="@@login.submit"
          >
            Sign in
          </button>
        </mat-card-actions>
      </form>
      <mat-card-footer class="language">
        <app-language-picker />
      </mat-card-footer>
    </mat-card>
  `,
  styles: `
    .login {
      max-width: 420px;
      margin: 48px auto;
    }
    mat-form-field {
      width: 100%;
    }
    .language {
      padding: 8px 16px 16px;
    }
    .error {
      margin: 0;
    }
  `,
})
export class LoginPage {
  private readonly sessions = inject(SessionService);
  private readonly workspace = inject(WorkspaceService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  protected readonly form = new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: Validators.required }),
    password: new FormControl('', { nonNullable: true, validators: Validators.required }),
  });
  private readonly password = viewChild.required<ElementRef<HTMLInputElement>>('password');
  protected readonly attempt = new SignInAttempt(this.password, $localize`:@@login.openFailed:Could not open your data on this device.`);

  protected async submit(): Promise<void> {
    if (this.attempt.waitSeconds() > 0) return;
    const { name: typed, password } = this.form.getRawValue();
    const name = typed.trim();
    if (!name || !password) {
      this.attempt.error.set($localize`:@@login.missing:Enter your user name and password.`);
      return;
    }
    const signedIn = await this.attempt.run(async () => this.workspace.open(await this.loginAs(name, password)));
    if (!signedIn) return;
    // Signed in, the data open: a linked page whose code does not arrive says so itself, with Try
    // again (sayPageDidNotLoad); on the form it read as the device's data failing to open.
    await this.router.navigateByUrl(returnPath(this.route.snapshot.queryParamMap.get(RETURN_PARAM))).catch((error: unknown) => {
      if (!isFailedPageLoad(error)) throw error;
    });
  }

  /**
   * Fieldbook's user names are lowercase (domain/user-name.ts), and "Alice" typed is alice meant;
   * a server admin's configured name may have capitals, so the name as typed goes first.
   */
  private async loginAs(name: string, password: string): Promise<Session> {
    try {
      return await this.sessions.login(name, password);
    } catch (error) {
      const lowercase = name.toLowerCase();
      if (!(error instanceof LoginError && error.status === 401) || lowercase === name) throw error;
      return this.sessions.login(lowercase, password);
    }
  }
}
