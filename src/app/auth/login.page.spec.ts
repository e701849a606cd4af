import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, TestRequest, provideHttpClientTesting } from '@angular/common/http/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { SessionService } from '../core/session.service';
import { WorkspaceService } from '../core/workspace.service';
import { ANA, waitFor } from '../testing/test-support';
import { LoginPage } from './login.page';

describe('LoginPage', () => {
  let fixture: ComponentFixture<LoginPage>;
  let http: HttpTestingController;
  let workspace: jasmine.SpyObj<WorkspaceService>;
  let router: Router;

  beforeEach(async () => {
    localStorage.removeItem('fieldbook.lastSession');
    workspace = jasmine.createSpyObj<WorkspaceService>('WorkspaceService', ['open']);
    workspace.open.and.resolveTo();
    TestBed.configureTestingModule({
      imports: [LoginPage],
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting(), { provide: WorkspaceService, useValue: workspace }],
    });
    http = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    spyOn(router, 'navigateByUrl').and.resolveTo(true);
    fixture = TestBed.createComponent(LoginPage);
    await fixture.whenStable();
  });

  afterEach(() => {
    http.verify();
    localStorage.removeItem('fieldbook.lastSession');
  });

  const el = (id: string) => fixture.nativeElement.querySelector(`[data-testid=${id}]`) as HTMLElement | null;

  function fill(name: string, password: string): void {
    for (const [id, value] of [
      ['login-name', name],
      ['login-password', password],
    ]) {
      const input = el(id) as HTMLInputElement;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    }
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    await waitFor(async () => {
      await fixture.whenStable();
      return condition();
    }, what);
  }

  it('logs in, opens the workspace and goes to the inspections', async () => {
    fill('ana', 'secret');
    el('login-submit')!.click();
    const request = http.expectOne('/api/session');
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toEqual({ name: 'ana', password: 'secret' });
    request.flush({ ok: true, ...ANA });
    await until(() => (router.navigateByUrl as jasmine.Spy).calls.count() > 0, 'the navigation');
    expect(workspace.open).toHaveBeenCalledWith(ANA);
    expect(router.navigateByUrl).toHaveBeenCalledWith('/inspections');
    expect(el('login-error')).toBeNull();
  });

  it('a linked page whose code does not arrive after the sign-in is not a failure to open the data: the form stays quiet, the router says it', async () => {
    (router.navigateByUrl as jasmine.Spy).and.rejectWith(
      new TypeError('Failed to fetch dynamically imported module: http://127.0.0.1/chunk-LMZ2DLHH.js'),
    );
    fill('ana', 'secret');
    el('login-submit')!.click();
    http.expectOne('/api/session').flush({ ok: true, ...ANA });
    await until(() => (router.navigateByUrl as jasmine.Spy).calls.count() > 0, 'the navigation');
    await until(() => !(el('login-submit') as HTMLButtonElement).disabled, 'the sign-in over');
    expect(workspace.open).toHaveBeenCalledWith(ANA);
    expect(el('login-error')).toBeNull();
  });

  it('signs in "Ana" as ana when the name as typed is refused (user names are lowercase; a server admin may not be)', async () => {
    const tries = spyOn(TestBed.inject(SessionService), 'login').and.callThrough();
    fill(' Ana ', 'Secret');
    el('login-submit')!.click();
    const typed = http.expectOne('/api/session');
    expect(typed.request.body).toEqual({ name: 'Ana', password: 'Secret' });
    typed.flush({ error: 'unauthorized', reason: 'Name or password is incorrect.' }, { status: 401, statusText: 'Unauthorized' });
    await until(() => tries.calls.count() === 2, 'the second try');
    const lowercase = http.expectOne('/api/session');
    expect(lowercase.request.body).toEqual({ name: 'ana', password: 'Secret' });
    lowercase.flush({ ok: true, ...ANA });
    await until(() => workspace.open.calls.count() > 0, 'the workspace');
    expect(el('login-error')).toBeNull();
  });

  it('tries a name with capitals once as typed when it is accepted, and says a wrong password once', async () => {
    const tries = spyOn(TestBed.inject(SessionService), 'login').and.callThrough();
    fill('Admin', 'secret');
    el('login-submit')!.click();
    http.expectOne('/api/session').flush({ ok: true, ...ANA });
    await until(() => workspace.open.calls.count() > 0, 'the workspace');
    http.verify();

    expect(tries).toHaveBeenCalledTimes(1);
    tries.calls.reset();
    fill('Ana', 'wrong');
    el('login-submit')!.click();
    const refused = { error: 'unauthorized', reason: 'Name or password is incorrect.' };
    http.expectOne('/api/session').flush(refused, { status: 401, statusText: 'Unauthorized' });
    await until(() => tries.calls.count() === 2, 'the second try');
    http.expectOne('/api/session').flush(refused, { status: 401, statusText: 'Unauthorized' });
    await until(() => !!el('login-error'), 'the error');
    expect(el('login-error')?.textContent).toContain('Name or password is incorrect.');
  });

  it("shows the proxy's reason on 401", async () => {
    fill('ana', 'wrong');
    el('login-submit')!.click();
    http
      .expectOne('/api/session')
      .flush({ error: 'unauthorized', reason: 'Name or password is incorrect.' }, { status: 401, statusText: 'Unauthorized' });
    await until(() => !!el('login-error'), 'the error');
    expect(el('login-error')?.textContent).toContain('Name or password is incorrect.');
    expect(workspace.open).not.toHaveBeenCalled();
  });

  it('after a wrong password keeps the name and puts the focus back in the password, selected for retyping', async () => {
    fill('ana', 'wrong');
    const submit = el('login-submit') as HTMLButtonElement;
    // Tapped, as on a tablet: the button has the focus, and is disabled while the sign-in runs.
    submit.focus();
    submit.click();
    http
      .expectOne('/api/session')
      .flush({ error: 'unauthorized', reason: 'Name or password is incorrect.' }, { status: 401, statusText: 'Unauthorized' });
    await until(() => !!el('login-error'), 'the error');
    const password = el('login-password') as HTMLInputElement;
    expect((el('login-name') as HTMLInputElement).value).toBe('ana');
    expect(document.activeElement).toBe(password);
    expect([password.selectionStart, password.selectionEnd]).toEqual([0, 'wrong'.length]);
  });

  it('says when the server cannot be reached', async () => {
    fill('ana', 'secret');
    el('login-submit')!.click();
    http.expectOne('/api/session').error(new ProgressEvent('error'), { status: 0 });
    await until(() => !!el('login-error'), 'the error');
    expect(el('login-error')?.textContent).toContain('cannot be reached');
  });

  it("says the server cannot be reached when the service worker answers a failed fetch, and keeps the proxy's own 504 reason", async () => {
    fill('ana', 'secret');
    el('login-submit')!.click();
    // Angular's service worker answers an empty 504 when its fetch fails: offline, or the proxy down.
    http.expectOne('/api/session').flush(null, { status: 504, statusText: 'Gateway Timeout' });
    await until(() => !!el('login-error'), 'the error');
    expect(el('login-error')?.textContent).toContain('cannot be reached');

    el('login-submit')!.click();
    http
      .expectOne('/api/session')
      .flush(
        { error: 'gateway_timeout', reason: 'The database server did not answer in time.' },
        { status: 504, statusText: 'Gateway Timeout' },
      );
    await until(() => !!el('login-error')?.textContent?.includes('did not answer in time'), 'the proxy reason');
  });

  it('gives up on a sign-in that gets no answer within a minute, says so and allows another try', async () => {
    fill('ana', 'secret');
    let request: TestRequest | undefined;
    jasmine.clock().install();
    try {
      el('login-submit')!.click();
      // Sent as the Wi-Fi went dead: no answer ever comes, and the browser waits for minutes.
      request = http.expectOne('/api/session');
      jasmine.clock().tick(60_000);
    } finally {
      jasmine.clock().uninstall();
    }
    await until(() => !!el('login-error'), 'the error');
    expect(request?.cancelled).toBeTrue();
    expect(el('login-error')?.textContent).toContain('cannot be reached');
    expect(fixture.nativeElement.querySelector('mat-progress-bar')).toBeNull();
    expect((el('login-submit') as HTMLButtonElement).disabled).toBeFalse();
  });

  it('after a 429 shows the wait from Retry-After, counts it down with sign-in disabled, then allows it again', async () => {
    jasmine.clock().install();
    jasmine.clock().mockDate(new Date(2026, 0, 1, 12, 0, 0));
    try {
      const login = spyOn(TestBed.inject(SessionService), 'login').and.callThrough();
      fill('ana', 'wrong');
      el('login-submit')!.click();
      http
        .expectOne('/api/session')
        .flush(
          { error: 'too_many_requests', reason: 'Too many failed logins; try again in 90 seconds.' },
          { status: 429, statusText: 'Too Many Requests', headers: { 'Retry-After': '90' } },
        );
      // The page awaited the login first, so it has taken the refusal when this await resumes.
      await expectAsync(login.calls.mostRecent().returnValue).toBeRejected();
      fixture.detectChanges();
      const submit = el('login-submit') as HTMLButtonElement;
      expect(el('login-error')?.textContent).toContain('Too many failed sign-ins');
      expect(el('login-wait')?.textContent).toContain('Try again in 1:30');
      expect(submit.disabled).toBeTrue();

      jasmine.clock().tick(31_000);
      fixture.detectChanges();
      expect(el('login-wait')?.textContent).toContain('Try again in 0:59');
      el('login-submit')!.click();
      http.expectNone('/api/session');

      jasmine.clock().tick(60_000);
      fixture.detectChanges();
      expect(el('login-wait')).toBeNull();
      expect(el('login-error')).toBeNull();
      expect(submit.disabled).toBeFalse();
    } finally {
      jasmine.clock().uninstall();
    }
  });

  it('asks for both fields before calling the server', async () => {
    fill('ana', '');
    el('login-submit')!.click();
    await until(() => !!el('login-error'), 'the error');
    http.expectNone('/api/session');
    expect(el('login-error')?.textContent).toContain('user name and password');
  });
});
