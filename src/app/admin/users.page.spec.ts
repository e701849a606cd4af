import { HttpErrorResponse } from '@angular/common/http';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { MatDialog } from '@angular/material/dialog';
import { MatSnackBar } from '@angular/material/snack-bar';
import { userDbName } from '../../../domain/user-db-name';
import { SessionService } from '../core/session.service';
import { fakeSessions, waitFor } from '../testing/test-support';
import { UsersPage } from './users.page';
import { ManagedUser, UsersService } from './users.service';

const USERS: ManagedUser[] = [
  { name: 'ada', role: 'admin', disabled: false },
  { name: 'bob', role: 'inspector', disabled: false },
  { name: 'cy', role: 'partner', disabled: true },
  { name: 'eve', role: 'supervisor', disabled: false },
];

describe('UsersPage', () => {
  let fixture: ComponentFixture<UsersPage>;
  let users: jasmine.SpyObj<UsersService>;
  /** What the server holds; the fake service changes it as the real one would. */
  let stored: ManagedUser[];

  const update = (name: string, change: Partial<ManagedUser>) =>
    (stored = stored.map((user) => (user.name === name ? { ...user, ...change } : user)));

  beforeEach(async () => {
    stored = USERS;
    users = jasmine.createSpyObj<UsersService>('UsersService', ['list', 'add', 'setPassword', 'setRole', 'disable', 'enable', 'remove']);
    users.list.and.callFake(async () => stored);
    users.add.and.callFake(async (name, role) => {
      stored = [...stored, { name, role, disabled: false }].sort((a, b) => a.name.localeCompare(b.name));
    });
    users.setRole.and.callFake(async (name, role) => void update(name, { role }));
    users.disable.and.callFake(async (name) => void update(name, { disabled: true }));
    users.remove.and.callFake(async (name) => void (stored = stored.filter((user) => user.name !== name)));
    TestBed.configureTestingModule({
      imports: [UsersPage],
      providers: [
        { provide: UsersService, useValue: users },
        { provide: SessionService, useValue: fakeSessions({ name: 'ada', roles: ['_admin', 'admin'], db: userDbName('ada') }) },
      ],
    });
    fixture = TestBed.createComponent(UsersPage);
    await waitFor(async () => (await fixture.whenStable(), all('user-row').length > 0), 'the users');
  });

  afterEach(() => {
    TestBed.inject(MatDialog).closeAll();
    TestBed.inject(MatSnackBar).dismiss();
    fixture.destroy();
  });

  const el = (id: string) => fixture.nativeElement.querySelector(`[data-testid=${id}]`) as HTMLElement;
  const all = (id: string) => Array.from(fixture.nativeElement.querySelectorAll(`[data-testid=${id}]`)) as HTMLElement[];
  const texts = (id: string) => all(id).map((element) => element.textContent!.replace(/\s+/g, ' ').trim());
  const row = (name: string) => fixture.nativeElement.querySelector(`[data-testid=user-row][data-name="${name}"]`) as HTMLElement;
  const inRow = (name: string, id: string) => row(name).querySelector(`[data-testid=${id}]`) as HTMLButtonElement | null;
  const inDialog = (id: string) => document.querySelector(`.cdk-overlay-container [data-testid=${id}]`) as HTMLElement | null;
  const snackBar = () => document.querySelector('mat-snack-bar-container')?.textContent ?? '';

  function type(input: HTMLElement | null, value: string): void {
    (input as HTMLInputElement).value = value;
    input!.dispatchEvent(new Event('input'));
  }

  /** Opens a select and clicks the option with this text. */
  async function choose(select: HTMLElement | null, option: string): Promise<void> {
    select!.click();
    await fixture.whenStable();
    const options = Array.from(document.querySelectorAll('mat-option')) as HTMLElement[];
    options.find((element) => element.textContent!.trim() === option)!.click();
    await fixture.whenStable();
  }

  async function openDialog(name: string, action: string): Promise<void> {
    inRow(name, action)!.click();
    await settled('the dialog', () => !!document.querySelector('mat-dialog-container h2')?.textContent);
  }

  async function settled(what: string, condition: () => boolean): Promise<void> {
    await waitFor(async () => (await fixture.whenStable(), condition()), what);
  }

  it('lists the users with role and state, and leaves the admin’s own row without actions', () => {
    expect(all('user-row').map((element) => element.getAttribute('data-name'))).toEqual(['ada', 'bob', 'cy', 'eve']);
    expect(texts('user-role')).toEqual(['admin', 'inspector', 'partner', 'supervisor']);
    expect(texts('user-state')).toEqual(['active', 'active', 'disabled', 'active']);
    expect(texts('users-summary')).toEqual(['4 users · 1 disabled']);

    expect(row('ada').textContent).toContain('(you)');
    expect(row('ada').querySelectorAll('button').length).toBe(0);
    expect(row('bob').textContent).not.toContain('(you)');
    const actions = ['user-reset-password', 'user-change-role', 'user-disable', 'user-enable', 'user-remove'];
    expect(actions.map((id) => !!inRow('bob', id))).toEqual([true, true, true, false, true]);
    // A disabled user is enabled with a new password, not given one.
    expect(actions.map((id) => !!inRow('cy', id))).toEqual([false, true, false, true, true]);
  });

  it('adds a user with the form’s values, lists them, empties the form and says so', async () => {
    type(el('add-user-name'), 'dana');
    await choose(el('add-user-role'), 'supervisor');
    type(el('add-user-password'), 'long enough');
    await fixture.whenStable();
    el('add-user-submit').click();

    await settled('the new user listed', () => !!row('dana'));
    expect(users.add).toHaveBeenCalledOnceWith('dana', 'supervisor', 'long enough');
    expect(users.list).toHaveBeenCalledTimes(2);
    expect(inRow('dana', 'user-role')!.textContent!.trim()).toBe('supervisor');
    expect(snackBar()).toContain('dana was added as supervisor.');
    // Found for the admin: among thousands it would be on some page.
    expect((el('users-find') as HTMLInputElement).value).toBe('dana');
    expect(all('user-row').map((element) => element.getAttribute('data-name'))).toEqual(['dana']);
    expect((el('add-user-name') as HTMLInputElement).value).toBe('');
    expect((el('add-user-password') as HTMLInputElement).value).toBe('');
    expect(el('add-user-submit').hasAttribute('disabled')).toBeTrue();
  });

  it('finds users by name and shows thousands a page at a time', async () => {
    stored = Array.from({ length: 120 }, (_, i) => ({
      name: `insp-${String(i).padStart(3, '0')}`,
      role: 'inspector',
      disabled: i % 40 === 0,
    }));
    fixture.destroy();
    fixture = TestBed.createComponent(UsersPage);
    await settled('the users', () => all('user-row').length > 0);
    expect(texts('users-summary')).toEqual(['120 users · 3 disabled']);
    expect(all('user-row').length).toBe(50);
    expect(el('users-pages').textContent).toContain('1–50 of 120');

    (el('users-pages').querySelector('.mat-mdc-paginator-navigation-next') as HTMLButtonElement).click();
    await settled('the second page', () => row('insp-050') !== null);
    expect(all('user-row').length).toBe(50);
    expect(el('users-pages').textContent).toContain('51–100 of 120');

    // Finding starts again from the first page of what matches.
    type(el('users-find'), '-11');
    await settled('the matches', () => all('user-row').length === 10);
    expect(all('user-row')[0].getAttribute('data-name')).toBe('insp-110');
    expect(el('users-pages')).toBeNull();
    type(el('users-find'), 'nobody');
    await settled('no match', () => all('user-row').length === 0);
    expect(texts('users-none')).toEqual(['No user name contains “nobody”.']);
  });

  it('keeps Add disabled while the password is too short', async () => {
    type(el('add-user-name'), 'dana');
    type(el('add-user-password'), 'short');
    await fixture.whenStable();
    expect(el('add-user-submit').hasAttribute('disabled')).toBeTrue();

    type(el('add-user-password'), '8 chars!');
    await fixture.whenStable();
    expect(el('add-user-submit').hasAttribute('disabled')).toBeFalse();
  });

  it('holds a partner’s name to the partner rule, which allows no "."', async () => {
    type(el('add-user-name'), 'acme.co');
    type(el('add-user-password'), '8 chars!');
    await fixture.whenStable();
    expect(el('add-user-submit').hasAttribute('disabled')).toBeFalse();

    await choose(el('add-user-role'), 'partner');
    await settled('the partner rule', () => el('add-user-submit').hasAttribute('disabled'));
    expect(fixture.nativeElement.querySelector('mat-hint').textContent).toContain("A partner's name: lowercase letters, digits, _ or -");

    type(el('add-user-name'), 'acme-co');
    await settled('a partner’s name', () => !el('add-user-submit').hasAttribute('disabled'));
    type(el('add-user-name'), 'acme.co');
    await choose(el('add-user-role'), 'inspector');
    await settled('a login’s rule again', () => !el('add-user-submit').hasAttribute('disabled'));
  });

  it('shows the server’s reason when it refuses, and keeps what was typed', async () => {
    users.add.and.rejectWith(
      new HttpErrorResponse({ status: 403, error: { error: 'forbidden', reason: '"couchadmin" is the server admin the proxy acts as.' } }),
    );
    type(el('add-user-name'), 'couchadmin');
    type(el('add-user-password'), 'long enough');
    await fixture.whenStable();
    el('add-user-submit').click();

    await settled('the refusal', () => !!el('users-error'));
    expect(texts('users-error')).toEqual(['couchadmin could not be added: "couchadmin" is the server admin the proxy acts as.']);
    expect(el('users-error').getAttribute('role')).toBe('alert');
    expect((el('add-user-name') as HTMLInputElement).value).toBe('couchadmin');

    users.add.and.rejectWith(
      new HttpErrorResponse({ status: 409, error: { error: 'conflict', reason: 'There is already a user "bob".' } }),
    );
    type(el('add-user-name'), 'bob');
    await fixture.whenStable();
    el('add-user-submit').click();
    await settled('the conflict', () => texts('users-error')[0]?.startsWith('bob'));
    // A reason the proxy words (domain/api-reasons.ts) is said in the app's own words and language.
    expect(texts('users-error')).toEqual(['bob could not be added: There is already a user “bob”.']);
  });

  it('lists the users afresh after a refused change too: another admin may have changed them', async () => {
    // Meanwhile another admin removed bob: the server says so, and the list no longer holds him.
    stored = stored.filter((user) => user.name !== 'bob');
    users.disable.and.rejectWith(new HttpErrorResponse({ status: 404, error: { error: 'not_found', reason: 'There is no user "bob".' } }));
    await openDialog('bob', 'user-disable');
    inDialog('user-dialog-confirm')!.click();

    await settled('the list afresh', () => !row('bob'));
    expect(texts('users-error')).toEqual(['bob could not be disabled: There is no user “bob”.']);
    expect(users.list).toHaveBeenCalledTimes(2);
  });

  it('offers to try again when the list could not be loaded', async () => {
    users.list.and.rejectWith(
      new HttpErrorResponse({ status: 502, error: { error: 'bad_gateway', reason: 'The database server did not list its users.' } }),
    );
    fixture.destroy();
    fixture = TestBed.createComponent(UsersPage);
    await settled('the failure', () => !!el('users-load-error'));
    expect(el('users-load-error').textContent).toContain('The users could not be loaded: The database server did not list its users.');
    expect(texts('users-summary')).toEqual(['']);

    users.list.and.callFake(async () => stored);
    (el('users-retry') as HTMLButtonElement).click();
    await settled('the users', () => all('user-row').length === 4);
    expect(el('users-load-error')).toBeNull();
    expect(texts('users-summary')).toEqual(['4 users · 1 disabled']);
  });

  it('offers no partner role for a name a partner cannot have', async () => {
    stored = [...USERS, { name: 'ann.lee', role: 'inspector', disabled: false }];
    fixture.destroy();
    fixture = TestBed.createComponent(UsersPage);
    await settled('ann.lee listed', () => !!row('ann.lee'));
    const offered = async (name: string) => {
      await openDialog(name, 'user-change-role');
      inDialog('user-dialog-role')!.click();
      await fixture.whenStable();
      const roles = Array.from(document.querySelectorAll('mat-option')).map((option) => option.textContent!.trim());
      TestBed.inject(MatDialog).closeAll();
      await waitFor(() => !inDialog('user-dialog-role'), 'the dialog closed');
      return roles;
    };
    expect(await offered('ann.lee')).toEqual(['inspector', 'supervisor', 'admin']);
    expect(await offered('bob')).toEqual(['inspector', 'supervisor', 'admin', 'partner']);
  });

  it('disables a user only once confirmed, saying their live sync stops and their data stays', async () => {
    await openDialog('bob', 'user-disable');
    const message = inDialog('user-dialog-message')!.textContent!;
    expect(message).toContain('their live sync stops at once');
    expect(message).toContain('Their data stays');
    inDialog('user-dialog-cancel')!.click();
    await waitFor(() => !inDialog('user-dialog-confirm'), 'the dialog closed');
    await fixture.whenStable();
    expect(users.disable).not.toHaveBeenCalled();

    await openDialog('bob', 'user-disable');
    inDialog('user-dialog-confirm')!.click();
    await settled('bob disabled', () => inRow('bob', 'user-state')?.textContent!.trim() === 'disabled');
    expect(users.disable).toHaveBeenCalledOnceWith('bob');
    expect(snackBar()).toContain('bob is disabled.');
    expect(texts('users-summary')).toEqual(['4 users · 2 disabled']);
    expect(inRow('bob', 'user-enable')).not.toBeNull();
  });

  it('removes a user only once confirmed, saying their data stays on the server', async () => {
    await openDialog('eve', 'user-remove');
    const message = inDialog('user-dialog-message')!.textContent!;
    expect(message).toContain('their live sync stops at once');
    expect(message).toContain('Their inspections stay on the server');
    inDialog('user-dialog-cancel')!.click();
    await waitFor(() => !inDialog('user-dialog-confirm'), 'the dialog closed');
    await fixture.whenStable();
    expect(users.remove).not.toHaveBeenCalled();

    await openDialog('eve', 'user-remove');
    inDialog('user-dialog-confirm')!.click();
    await settled('eve removed', () => !row('eve'));
    expect(users.remove).toHaveBeenCalledOnceWith('eve');
    expect(snackBar()).toContain('eve was removed.');
    expect(texts('users-summary')).toEqual(['3 users · 1 disabled']);
  });

  it('makes a user an admin without asking for a password', async () => {
    await openDialog('bob', 'user-change-role');
    await choose(inDialog('user-dialog-role'), 'admin');
    expect(inDialog('user-dialog-password')).toBeNull();
    inDialog('user-dialog-confirm')!.click();

    await settled('bob an admin', () => inRow('bob', 'user-role')?.textContent!.trim() === 'admin');
    expect(users.setRole).toHaveBeenCalledOnceWith('bob', 'admin');
    expect(snackBar()).toContain('bob is now admin.');
  });

  it('makes an admin something else without asking for a password', async () => {
    stored = [...USERS, { name: 'hal', role: 'admin', disabled: false }];
    fixture.destroy();
    fixture = TestBed.createComponent(UsersPage);
    await settled('hal listed', () => !!row('hal'));
    await openDialog('hal', 'user-change-role');
    await choose(inDialog('user-dialog-role'), 'inspector');
    expect(inDialog('user-dialog-password')).toBeNull();
    inDialog('user-dialog-confirm')!.click();

    await settled('hal an inspector', () => inRow('hal', 'user-role')?.textContent!.trim() === 'inspector');
    expect(users.setRole).toHaveBeenCalledOnceWith('hal', 'inspector');
  });

  it('enables a disabled user with the new password typed', async () => {
    users.enable.and.callFake(async (name) => void update(name, { disabled: false }));
    await openDialog('cy', 'user-enable');
    type(inDialog('user-dialog-password'), 'short');
    await fixture.whenStable();
    expect(inDialog('user-dialog-confirm')!.hasAttribute('disabled')).toBeTrue();
    type(inDialog('user-dialog-password'), 'a new password');
    await fixture.whenStable();
    inDialog('user-dialog-confirm')!.click();

    await settled('cy enabled', () => inRow('cy', 'user-state')?.textContent!.trim() === 'active');
    expect(users.enable).toHaveBeenCalledOnceWith('cy', 'a new password');
  });

  it('keeps the dialog open with the typed password when the server refuses, and sends one change however often confirmed', async () => {
    let answerNow!: (refusal?: HttpErrorResponse) => void;
    users.setPassword.and.callFake(
      () => new Promise<void>((resolve, reject) => (answerNow = (refusal) => (refusal ? reject(refusal) : resolve()))),
    );
    await openDialog('bob', 'user-reset-password');
    type(inDialog('user-dialog-password'), 'a new password');
    await fixture.whenStable();
    inDialog('user-dialog-confirm')!.click();
    inDialog('user-dialog-confirm')!.click();
    await settled('the change sent', () => users.setPassword.calls.count() > 0);
    answerNow(
      new HttpErrorResponse({
        status: 503,
        error: { error: 'service_unavailable', reason: 'The database server is not reachable.' },
      }),
    );

    await settled('the refusal', () => !!inDialog('user-dialog-error'));
    expect(inDialog('user-dialog-error')!.textContent!.trim()).toBe(
      'The password of bob could not be changed: The database server is not reachable.',
    );
    expect((inDialog('user-dialog-password') as HTMLInputElement).value).toBe('a new password');
    expect(users.setPassword).toHaveBeenCalledOnceWith('bob', 'a new password');

    inDialog('user-dialog-confirm')!.click();
    await settled('the change sent again', () => users.setPassword.calls.count() === 2);
    answerNow();
    await settled('the dialog closed', () => !inDialog('user-dialog-password'));
    expect(snackBar()).toContain('bob has a new password.');
  });

  it('adds a user once however often Add is pressed while the server answers', async () => {
    type(el('add-user-name'), 'dana');
    type(el('add-user-password'), 'long enough');
    await fixture.whenStable();
    el('add-user-submit').click();
    el('add-user-submit').click();

    await settled('the new user listed', () => !!row('dana'));
    expect(users.add).toHaveBeenCalledOnceWith('dana', 'inspector', 'long enough');
    expect(el('users-error')).toBeNull();
  });

  it('finds a login made outside Fieldbook with capitals in its name, however the admin types it', async () => {
    stored = [...USERS, { name: 'Zoe.Ray', role: null, disabled: false }];
    fixture.destroy();
    fixture = TestBed.createComponent(UsersPage);
    await settled('Zoe.Ray listed', () => !!row('Zoe.Ray'));

    type(el('users-find'), 'Zoe');
    await settled('the match', () => all('user-row').length === 1);
    expect(row('Zoe.Ray')).not.toBeNull();
    type(el('users-find'), 'ray');
    await settled('the match', () => all('user-row').length === 1);
    expect(row('Zoe.Ray')).not.toBeNull();
  });
});
