import { ChangeDetectionStrategy, Component, computed, inject, signal, viewChild } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import {
  FormControl,
  FormGroup,
  FormGroupDirective,
  ReactiveFormsModule,
  Validators,
  type AbstractControl,
  type ValidationErrors,
} from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorIntl, MatPaginatorModule, type PageEvent } from '@angular/material/paginator';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatTableModule } from '@angular/material/table';
import { firstValueFrom } from 'rxjs';
import { MIN_PASSWORD_LENGTH } from '../../../domain/password-rule';
import { FIELDBOOK_ROLES, type FieldbookRole } from '../../../domain/roles';
import { partnerNameProblem, USER_NAME } from '../../../domain/user-name';
import { apiErrorMessage } from '../core/api-error-message';
import { SessionService } from '../core/session.service';
import { confirm } from '../shared/confirm';
import { countFormat } from '../shared/count-format';
import { LocalizedPaginatorIntl } from '../shared/paginator-intl';
import { ROLE_LABELS } from './role-labels';
import { UserDialog, UserDialogData } from './user.dialog';
import { ManagedUser, UsersService } from './users.service';

/** What a row offers for a login other than the admin's own. */
interface RowAction {
  testId: string;
  label: string;
  danger?: boolean;
  run(user: ManagedUser): Promise<void>;
}

/** The admin's view of the Fieldbook logins: add one, reset a password, change a role, disable, enable and remove (`npm run user` on a page). */
@Component({
  selector: 'app-users-page',
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatPaginatorModule, MatSelectModule, MatTableModule],
  providers: [{ provide: MatPaginatorIntl, useClass: LocalizedPaginatorIntl }],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 1100px' },
  template: `
    <h1 i18n="@@users.title">Users</h1>
    <p data-testid="users-summary">{{ summary() }}</p>
    @if (loadError(); as text) {
      <p class="error" role="alert" data-testid="users-load-error">
        {{ text }}
        <button mat-button type="button" data-testid="users-retry" (click)="load()" i18n="@@users.loadRetry">Try again</button>
      </p>
    }
    @if (error(); as text) {
      <p class="error" role="alert" data-testid="users-error">{{ text }}</p>
    }

    <form class="add" [formGroup]="addForm" (ngSubmit)="add()">
      <h2 i18n="@@users.addTitle">Add user</h2>
      <div class="form-row">
        <mat-form-field appearance="outline">
          <mat-label i18n="@@users.name">User name</mat-label>
          <input matInput formControlName="name" autocomplete="off" autocapitalize="none" spellcheck="false" data-testid="add-user-name" />
          @if (addRole() === 'partner') {
            <mat-hint i18n="@@users.partnerNameHint">A partner's name: lowercase letters, digits, _ or -, starting with a letter.</mat-hint>
          } @else {
            <mat-hint i18n="@@users.nameHint">Lowercase letters, digits, _ . or -, starting with a letter.</mat-hint>
          }
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label i18n="@@users.role">Role</mat-label>
          <mat-select formControlName="role" data-testid="add-user-role">
            @for (role of roles; track role) {
              <mat-option [value]="role">{{ roleLabels[role] }}</mat-option>
            }
          </mat-select>
        </mat-form-field>
        <mat-form-field appearance="outline">
          <mat-label i18n="@@users.password">Password</mat-label>
          <input matInput type="password" formControlName="password" autocomplete="new-password" data-testid="add-user-password" />
          <mat-hint i18n="@@users.passwordHint">At least {{ minPasswordLength }} characters.</mat-hint>
        </mat-form-field>
        <button mat-flat-button type="submit" [disabled]="busy() || addForm.invalid" data-testid="add-user-submit" i18n="@@users.add">
          Add user
        </button>
      </div>
    </form>

    @if (users()) {
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="find">
        <mat-label i18n="@@users.find">Find a user</mat-label>
        <input #findInput matInput type="search" data-testid="users-find" [value]="find()" (input)="findUser(findInput.value)" />
      </mat-form-field>
      <table mat-table [dataSource]="shown()" class="users">
        <ng-container matColumnDef="name">
          <th mat-header-cell *matHeaderCellDef i18n="@@users.name">User name</th>
          <td mat-cell *matCellDef="let user">
            {{ user.name }}
            @if (user.name === me()) {
              <span class="you" i18n="@@users.you">(you)</span>
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="role">
          <th mat-header-cell *matHeaderCellDef i18n="@@users.role">Role</th>
          <td mat-cell *matCellDef="let user" data-testid="user-role">{{ roleLabel(user) }}</td>
        </ng-container>
        <ng-container matColumnDef="state">
          <th mat-header-cell *matHeaderCellDef i18n="@@users.state">State</th>
          <td mat-cell *matCellDef="let user" data-testid="user-state" [class.disabled]="user.disabled">
            @if (user.disabled) {
              <ng-container i18n="@@users.disabled">disabled</ng-container>
            } @else {
              <ng-container i18n="@@users.active">active</ng-container>
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="actions">
          <th mat-header-cell *matHeaderCellDef></th>
          <td mat-cell *matCellDef="let user">
            <!-- An admin does not change their own login here: the server refuses it too. -->
            @if (user.name !== me()) {
              <div class="actions">
                @for (action of actionsFor(user); track action.testId) {
                  <button
                    mat-button
                    type="button"
                    [class.danger]="action.danger"
                    [disabled]="busy()"
                    (click)="action.run(user)"
                    [attr.data-testid]="action.testId"
                  >
                    {{ action.label }}
                  </button>
                }
              </div>
            }
          </td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let user; columns: columns" data-testid="user-row" [attr.data-name]="user.name"></tr>
      </table>
      @if (!matching().length) {
        <p class="none" data-testid="users-none" i18n="@@users.none">No user name contains “{{ find() }}”.</p>
      }
      @if (matching().length > pageSizes[0]) {
        <mat-paginator
          [length]="matching().length"
          [pageIndex]="pageIndex()"
          [pageSize]="pageSize()"
          [pageSizeOptions]="pageSizes"
          (page)="turnPage($event)"
          data-testid="users-pages"
        />
      }
    }
  `,
  styles: `
    .add {
      margin-bottom: 24px;
    }
    .add h2 {
      font-size: 18px;
      font-weight: 500;
    }
    .form-row mat-form-field {
      flex: 1 1 220px;
    }
    .find {
      width: min(100%, 360px);
      margin-top: 16px;
    }
    .users {
      width: 100%;
    }
    /* A long name wraps anywhere; a role or a state is one short word that stays whole. */
    .users td.mat-column-name {
      overflow-wrap: anywhere;
    }
    .users .mat-column-role,
    .users .mat-column-state {
      white-space: nowrap;
    }
    .you,
    .none {
      color: var(--mat-sys-on-surface-variant, #49454f);
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      justify-content: flex-end;
    }
    .disabled {
      color: var(--mat-sys-error, #b3261e);
    }
    .danger {
      --mat-button-text-label-text-color: var(--mat-sys-error, #b3261e);
    }
  `,
})
export class UsersPage {
  private readonly service = inject(UsersService);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly session = inject(SessionService).session;
  private readonly formatCount = countFormat();
  private readonly addFormDirective = viewChild.required(FormGroupDirective);

  protected readonly columns = ['name', 'role', 'state', 'actions'];
  protected readonly roles = FIELDBOOK_ROLES;
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly minPasswordLength = MIN_PASSWORD_LENGTH;
  protected readonly me = computed(() => this.session()?.name);
  protected readonly users = signal<ManagedUser[] | null>(null);
  /** Thousands of inspectors: the list is searched by name and shown a page at a time. */
  protected readonly find = signal('');
  protected readonly pageSizes = [50, 100, 250];
  protected readonly pageSize = signal(this.pageSizes[0]);
  protected readonly pageIndex = signal(0);
  protected readonly matching = computed(() => {
    const needle = this.find().trim().toLowerCase();
    const users = this.users() ?? [];
    // Fieldbook's names are lowercase; one made in Fauxton may not be.
    return needle ? users.filter((user) => user.name.toLowerCase().includes(needle)) : users;
  });
  protected readonly shown = computed(() => {
    const start = this.pageIndex() * this.pageSize();
    return this.matching().slice(start, start + this.pageSize());
  });
  protected readonly error = signal('');
  /** Why the list could not be (re)loaded: shown with a button to try again. */
  protected readonly loadError = signal('');
  protected readonly busy = signal(false);
  protected readonly addForm = new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.pattern(USER_NAME), partnerNameRule] }),
    role: new FormControl<FieldbookRole>('inspector', { nonNullable: true }),
    password: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.minLength(MIN_PASSWORD_LENGTH)] }),
  });
  protected readonly addRole = toSignal(this.addForm.controls.role.valueChanges, { initialValue: this.addForm.controls.role.value });
  protected readonly summary = computed(() => {
    const users = this.users();
    if (!users) return this.loadError() ? '' : $localize`:@@users.loading:Loading…`;
    const total =
      users.length === 1 ? $localize`:@@users.one:1 user` : $localize`:@@users.count:${this.formatCount(users.length)}:count: users`;
    const disabled = users.filter((user) => user.disabled).length;
    if (!disabled) return total;
    const disabledCount =
      disabled === 1
        ? $localize`:@@users.oneDisabled:1 disabled`
        : $localize`:@@users.disabledCount:${this.formatCount(disabled)}:count: disabled`;
    return `${total} · ${disabledCount}`;
  });

  constructor() {
    // The name's rule depends on the role picked.
    this.addForm.controls.role.valueChanges.pipe(takeUntilDestroyed()).subscribe(() => this.addForm.controls.name.updateValueAndValidity());
    void this.load();
  }

  // A disabled login is enabled with a new password, not given one, and cannot be disabled again.
  private readonly enableAction: RowAction = {
    testId: 'user-enable',
    label: $localize`:@@users.enable:Enable`,
    run: (user) => this.enable(user),
  };
  private readonly resetPasswordAction: RowAction = {
    testId: 'user-reset-password',
    label: $localize`:@@users.resetPassword:Reset password`,
    run: (user) => this.resetPassword(user),
  };
  private readonly changeRoleAction: RowAction = {
    testId: 'user-change-role',
    label: $localize`:@@users.changeRole:Change role`,
    run: (user) => this.changeRole(user),
  };
  private readonly disableAction: RowAction = {
    testId: 'user-disable',
    label: $localize`:@@users.disable:Disable`,
    danger: true,
    run: (user) => this.disable(user),
  };

  private readonly removeAction: RowAction = {
    testId: 'user-remove',
    label: $localize`:@@users.remove:Remove`,
    danger: true,
    run: (user) => this.remove(user),
  };

  protected actionsFor(user: ManagedUser): RowAction[] {
    return user.disabled
      ? [this.enableAction, this.changeRoleAction, this.removeAction]
      : [this.resetPasswordAction, this.changeRoleAction, this.disableAction, this.removeAction];
  }

  protected findUser(text: string): void {
    this.find.set(text);
    this.pageIndex.set(0);
  }

  protected turnPage({ pageIndex, pageSize }: PageEvent): void {
    this.pageIndex.set(pageIndex);
    this.pageSize.set(pageSize);
  }

  protected roleLabel(user: ManagedUser): string {
    return user.role ? ROLE_LABELS[user.role] : $localize`:@@users.noRole:no role`;
  }

  protected async add(): Promise<void> {
    // Busy: a second press, before the page has disabled the button, would add the login twice (the second a 409).
    if (this.addForm.invalid || this.busy()) return;
    const { name, role, password } = this.addForm.getRawValue();
    const added = await this.change(
      () => this.service.add(name, role, password),
      $localize`:@@users.added:${name}:name: was added as ${ROLE_LABELS[role]}:role:.`,
      $localize`:@@users.addError:${name}:name: could not be added`,
    );
    // resetForm, not reset: the submitted form would otherwise show its emptied fields as errors.
    if (!added) return;
    this.addFormDirective().resetForm({ name: '', role, password: '' });
    // Among thousands, the new login would be on some page: show it.
    this.findUser(name);
  }

  protected async resetPassword(user: ManagedUser): Promise<void> {
    await this.ask({
      title: $localize`:@@users.resetTitle:New password for ${user.name}:name:`,
      name: user.name,
      confirm: $localize`:@@users.resetConfirm:Set password`,
      apply: ({ password }) =>
        this.attempt(
          () => this.service.setPassword(user.name, password!),
          $localize`:@@users.passwordSet:${user.name}:name: has a new password.`,
          $localize`:@@users.resetError:The password of ${user.name}:name: could not be changed`,
        ),
    });
  }

  protected async changeRole(user: ManagedUser): Promise<void> {
    await this.ask({
      title: $localize`:@@users.roleTitle:Role of ${user.name}:name:`,
      name: user.name,
      confirm: $localize`:@@users.roleConfirm:Change role`,
      role: user.role,
      apply: ({ role }) =>
        this.attempt(
          () => this.service.setRole(user.name, role!),
          $localize`:@@users.roleSet:${user.name}:name: is now ${ROLE_LABELS[role!]}:role:.`,
          $localize`:@@users.roleError:The role of ${user.name}:name: could not be changed`,
        ),
    });
  }

  protected async disable(user: ManagedUser): Promise<void> {
    const confirmed = await confirm(this.dialog, {
      title: $localize`:@@users.disableTitle:Disable ${user.name}:name:?`,
      message: $localize`:@@users.disableMessage:${user.name}:name: can no longer sign in, and their live sync stops at once. Their data stays; enabling them again takes a new password.`,
      confirm: $localize`:@@users.disableConfirm:Disable`,
      cancel: $localize`:@@common.cancel:Cancel`,
      testId: 'user-dialog',
    });
    if (!confirmed) return;
    await this.change(
      () => this.service.disable(user.name),
      $localize`:@@users.disabledDone:${user.name}:name: is disabled.`,
      $localize`:@@users.disableError:${user.name}:name: could not be disabled`,
    );
  }

  protected async enable(user: ManagedUser): Promise<void> {
    await this.ask({
      title: $localize`:@@users.enableTitle:Enable ${user.name}:name: with a new password`,
      name: user.name,
      confirm: $localize`:@@users.enableConfirm:Enable`,
      apply: ({ password }) =>
        this.attempt(
          () => this.service.enable(user.name, password!),
          $localize`:@@users.enabled:${user.name}:name: can sign in again.`,
          $localize`:@@users.enableError:${user.name}:name: could not be enabled`,
        ),
    });
  }

  protected async remove(user: ManagedUser): Promise<void> {
    const confirmed = await confirm(this.dialog, {
      title: $localize`:@@users.removeTitle:Remove ${user.name}:name:?`,
      message: $localize`:@@users.removeMessage:The login of ${user.name}:name: goes, with their replication jobs, and their live sync stops at once. Their inspections stay on the server, for server admins alone.`,
      confirm: $localize`:@@users.removeConfirm:Remove`,
      cancel: $localize`:@@common.cancel:Cancel`,
      testId: 'user-dialog',
    });
    if (!confirmed) return;
    await this.change(
      () => this.service.remove(user.name),
      $localize`:@@users.removed:${user.name}:name: was removed.`,
      $localize`:@@users.removeError:${user.name}:name: could not be removed`,
    );
  }

  /** A change asked for in the dialog, which makes it and says there why it was refused. */
  private async ask(data: UserDialogData): Promise<void> {
    const ref = this.dialog.open<UserDialog, UserDialogData>(UserDialog, { data });
    await firstValueFrom(ref.afterClosed());
  }

  /** A change asked for on the page, which says there why it was refused. */
  private async change(work: () => Promise<void>, done: string, failed: string): Promise<boolean> {
    const problem = await this.attempt(work, done, failed);
    this.error.set(problem ?? '');
    return !problem;
  }

  /**
   * One change to a login: on success a snack bar saying so, else the server's reason, returned;
   * the list afresh either way, as a refusal often means another admin changed the login.
   */
  private async attempt(work: () => Promise<void>, done: string, failed: string): Promise<string | null> {
    this.busy.set(true);
    this.error.set('');
    let problem: string | null = null;
    try {
      await work();
      this.snackBar.open(done, undefined, { duration: 4_000 });
    } catch (error) {
      problem = apiErrorMessage(error, failed);
    } finally {
      this.busy.set(false);
    }
    await this.load();
    return problem;
  }

  protected async load(): Promise<void> {
    this.loadError.set('');
    try {
      this.users.set(await this.service.list());
    } catch (error) {
      this.loadError.set(apiErrorMessage(error, $localize`:@@users.loadError:The users could not be loaded`));
    }
  }
}

/** A partner's name becomes a database name, which allows fewer characters than a login's (the server checks the same rule). */
function partnerNameRule(name: AbstractControl<string>): ValidationErrors | null {
  // The role control's own value: the form's is updated only after the role's change is announced.
  return name.parent?.get('role')?.value === 'partner' && name.value && partnerNameProblem(name.value) ? { partnerName: true } : null;
}
