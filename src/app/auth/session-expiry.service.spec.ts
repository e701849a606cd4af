import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { BehaviorSubject } from 'rxjs';
import { ReplicationService } from '../core/replication.service';
import { SessionService } from '../core/session.service';
import { LoginError } from '../core/session.service';
import { SyncStatus } from '../core/sync-state';
import { ANA, FakeSessions, fakeSessions, waitFor } from '../testing/test-support';
import { SessionExpiryService } from './session-expiry.service';

describe('SessionExpiryService', () => {
  let sessions: FakeSessions;
  let status$: BehaviorSubject<SyncStatus>;
  let resume: jasmine.Spy;

  beforeEach(() => {
    sessions = fakeSessions();
    const idle: SyncStatus = { state: 'paused', sessionExpired: false, lastError: null, lastSyncedAt: null };
    status$ = new BehaviorSubject(idle);
    resume = jasmine.createSpy('resume');
    TestBed.configureTestingModule({
      providers: [
        { provide: SessionService, useValue: sessions },
        { provide: ReplicationService, useValue: { status$, syncStatus: signal(idle), resume } },
      ],
    });
    TestBed.inject(SessionExpiryService).watch();
  });

  afterEach(() => {
    document.querySelectorAll('.cdk-overlay-container').forEach((element) => (element.innerHTML = ''));
  });

  const find = (id: string) => document.querySelector(`[data-testid=${id}]`) as HTMLElement | null;

  function expire(): void {
    status$.next({ state: 'error', sessionExpired: true, lastError: 'session expired', lastSyncedAt: null });
  }

  async function typePassword(value: string): Promise<void> {
    await waitFor(() => !!find('relogin-password'), 'the re-login dialog');
    // No fixture owns the dialog; run change detection for the app's views explicitly.
    TestBed.tick();
    const input = find('relogin-password') as HTMLInputElement;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  }

  it('asks for the password on a 401 and resumes sync after signing in', async () => {
    sessions.login.and.callFake(async () => {
      sessions.logins$.next(ANA);
      return ANA;
    });
    expire();
    await typePassword('secret');
    find('relogin-submit')!.click();
    await waitFor(() => resume.calls.count() === 1, 'sync to resume');
    expect(sessions.login).toHaveBeenCalledWith('ana', 'secret');
    await waitFor(() => !find('relogin-password'), 'the dialog to close');
  });

  it('keeps the dialog open with the reason when the password is wrong', async () => {
    sessions.login.and.rejectWith(new LoginError('Name or password is incorrect.', 401));
    expire();
    await typePassword('wrong');
    find('relogin-submit')!.click();
    await waitFor(() => !!find('relogin-error'), 'the error');
    expect(find('relogin-error')!.textContent).toContain('Name or password is incorrect.');
    expect(resume).not.toHaveBeenCalled();
  });

  it('after a wrong password puts the focus back in the password, selected for retyping', async () => {
    sessions.login.and.rejectWith(new LoginError('Name or password is incorrect.', 401));
    expire();
    await typePassword('wrong');
    const submit = find('relogin-submit')!;
    // Tapped, as on a tablet: the button has the focus.
    submit.focus();
    submit.click();
    await waitFor(() => !!find('relogin-error'), 'the error');
    const password = find('relogin-password') as HTMLInputElement;
    expect(document.activeElement).toBe(password);
    expect([password.selectionStart, password.selectionEnd]).toEqual([0, 'wrong'.length]);
  });

  it('after too many failed sign-ins shows the wait from Retry-After, with sign-in disabled meanwhile', async () => {
    sessions.login.and.rejectWith(new LoginError('Too many failed sign-ins.', 429, 90));
    expire();
    await typePassword('wrong');
    find('relogin-submit')!.click();
    await waitFor(() => {
      TestBed.tick();
      return !!find('relogin-wait');
    }, 'the wait');
    expect(find('relogin-wait')!.textContent).toContain('Try again in 1:30');
    expect((find('relogin-submit') as HTMLButtonElement).disabled).toBeTrue();
    expect(sessions.login).toHaveBeenCalledTimes(1);
  });

  it('resumes without asking when another tab signed in again', async () => {
    expire();
    await waitFor(() => !!find('relogin-password'), 'the re-login dialog');
    sessions.logins$.next(ANA);
    await waitFor(() => resume.calls.count() === 1, 'sync to resume');
  });

  it('closes the dialog when its user is signed out meanwhile (a logout in another tab deleted the data it says is kept)', async () => {
    expire();
    await waitFor(() => !!find('relogin-password'), 'the re-login dialog');
    sessions.set(null);
    await waitFor(() => {
      TestBed.tick();
      return !find('relogin-password');
    }, 'the dialog to close');
    expect(resume).not.toHaveBeenCalled();
  });
});
