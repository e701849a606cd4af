import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, TestRequest, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { ANA, waitFor } from '../testing/test-support';
import { Session } from './session.model';
import { LoginError, SessionService } from './session.service';

describe('SessionService', () => {
  let sessions: SessionService;
  let http: HttpTestingController;

  beforeEach(() => {
    localStorage.removeItem('fieldbook.lastSession');
    localStorage.removeItem('fieldbook.logoutPending');
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    sessions = TestBed.inject(SessionService);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    http.verify();
    localStorage.removeItem('fieldbook.lastSession');
    localStorage.removeItem('fieldbook.logoutPending');
  });

  /** Answers the request matching `match` once `promise`'s work has made it, then awaits the promise. */
  async function flushed<T>(
    promise: Promise<T>,
    match: { method: string; url: string },
    respond: (request: TestRequest) => void,
  ): Promise<T> {
    let request: TestRequest | undefined;
    await waitFor(() => !!(request = http.match(match)[0]), `the ${match.method} request`);
    respond(request!);
    return promise;
  }

  it('restores the session the proxy reports', async () => {
    const restored = sessions.restore();
    http.expectOne({ method: 'GET', url: '/api/session' }).flush({ ok: true, ...ANA });
    expect(await restored).toEqual(ANA);
    expect(sessions.session()).toEqual(ANA);
  });

  it('starts from the remembered session when the proxy cannot be reached', async () => {
    const login = sessions.login('ana', 'pw');
    http.expectOne('/api/session').flush({ ok: true, ...ANA });
    await login;

    const offline = TestBed.runInInjectionContext(() => new SessionService());
    const restored = offline.restore();
    await flushed(restored, { method: 'GET', url: '/api/session' }, (request) => request.error(new ProgressEvent('error'), { status: 0 }));
    expect(offline.session()).toEqual(ANA);
  });

  it('starts at once from the session this device remembers, then follows what the proxy answers', async () => {
    localStorage.setItem('fieldbook.lastSession', JSON.stringify(ANA));
    // Nothing answered yet (a weak connection): the remembered user is there already.
    expect(await sessions.ready()).toEqual(ANA);
    expect(sessions.session()).toEqual(ANA);
    const request = http.expectOne({ method: 'GET', url: '/api/session' });
    // The proxy says the cookie has expired: signed out, as a logout in another tab would.
    request.flush({ error: 'unauthorized', reason: 'no session' }, { status: 401, statusText: 'Unauthorized' });
    await waitFor(() => sessions.session() === null, 'the sign-out');
    expect(localStorage.getItem('fieldbook.lastSession')).toBeNull();
  });

  it('waits for the proxy when this device remembers nobody', async () => {
    let known: unknown = 'pending';
    const ready = sessions.ready().then((session) => (known = session));
    await flushed(ready, { method: 'GET', url: '/api/session' }, (request) => {
      expect(known).toBe('pending');
      request.flush({ ok: true, ...ANA });
    });
    expect(known).toEqual(ANA);
  });

  it('forgets the user when the proxy says 401', async () => {
    localStorage.setItem('fieldbook.lastSession', JSON.stringify(ANA));
    const restored = sessions.restore();
    http.expectOne('/api/session').flush({ error: 'unauthorized', reason: 'no session' }, { status: 401, statusText: 'Unauthorized' });
    expect(await restored).toBeNull();
    expect(localStorage.getItem('fieldbook.lastSession')).toBeNull();
  });

  it("turns a refused login into a LoginError with the proxy's reason", async () => {
    const login = sessions.login('ana', 'bad');
    http
      .expectOne('/api/session')
      .flush({ error: 'unauthorized', reason: 'Name or password is incorrect.' }, { status: 401, statusText: 'Unauthorized' });
    await expectAsync(login).toBeRejectedWith(new LoginError('Name or password is incorrect.', 401));
    expect(sessions.session()).toBeNull();
  });

  it('announces fresh logins', async () => {
    const seen: string[] = [];
    sessions.logins$.subscribe((session) => seen.push(session.name));
    const login = sessions.login('ana', 'pw');
    http.expectOne('/api/session').flush({ ok: true, ...ANA });
    await login;
    expect(seen).toEqual(['ana']);
  });

  it('logs out locally even when the proxy is unreachable', async () => {
    const login = sessions.login('ana', 'pw');
    http.expectOne('/api/session').flush({ ok: true, ...ANA });
    await login;
    const logout = sessions.logout();
    await flushed(logout, { method: 'DELETE', url: '/api/session' }, (request) => request.error(new ProgressEvent('error'), { status: 0 }));
    expect(sessions.session()).toBeNull();
    expect(localStorage.getItem('fieldbook.lastSession')).toBeNull();
  });

  it('ends a logout made offline at the next start before asking who is logged in, and stays logged out meanwhile', async () => {
    const login = sessions.login('ana', 'pw');
    http.expectOne('/api/session').flush({ ok: true, ...ANA });
    await login;
    const offlineError = (request: TestRequest) => request.error(new ProgressEvent('error'), { status: 0 });
    await flushed(sessions.logout(), { method: 'DELETE', url: '/api/session' }, offlineError);

    // Started again, still offline: nobody, although the proxy's cookie still names ana.
    const stillOffline = TestBed.runInInjectionContext(() => new SessionService());
    expect(await flushed(stillOffline.ready(), { method: 'DELETE', url: '/api/session' }, offlineError)).toBeNull();

    // Started again, online: the logout reaches the proxy first; only then is it asked, and says nobody.
    const online = TestBed.runInInjectionContext(() => new SessionService());
    const restored = online.ready();
    await flushed(Promise.resolve(), { method: 'DELETE', url: '/api/session' }, (request) => request.flush({ ok: true }));
    await flushed(restored, { method: 'GET', url: '/api/session' }, (request) =>
      request.flush({ error: 'unauthorized', reason: 'You are not signed in.' }, { status: 401, statusText: 'Unauthorized' }),
    );
    expect(online.session()).toBeNull();

    // Done: the next start asks the proxy alone.
    const next = TestBed.runInInjectionContext(() => new SessionService());
    const asked = next.ready();
    http.expectNone({ method: 'DELETE', url: '/api/session' });
    await flushed(asked, { method: 'GET', url: '/api/session' }, (request) => request.flush({ ok: true, ...ANA }));
    expect(next.session()).toEqual(ANA);
  });

  /** The request matching `match`, once it has been made. */
  async function requestFor(match: { method: string; url: string }): Promise<TestRequest> {
    let found: TestRequest | undefined;
    await waitFor(() => !!(found = http.match(match)[0]), `the ${match.method} request`);
    return found!;
  }

  it('stays logged out when the start-up question of who is logged in is answered after a logout (a slow link)', async () => {
    localStorage.setItem('fieldbook.lastSession', JSON.stringify(ANA));
    const startup = sessions.restore();
    const startupAsk = await requestFor({ method: 'GET', url: '/api/session' });

    const logout = sessions.logout();
    (await requestFor({ method: 'DELETE', url: '/api/session' })).flush({ ok: true });
    await logout;
    // The proxy answered before the logout; the answer reaches the tablet only now.
    startupAsk.flush({ ok: true, ...ANA });
    await startup;
    expect(sessions.session()).withContext('after the logout').toBeNull();
    expect(localStorage.getItem('fieldbook.lastSession')).withContext('remembered for the next start').toBeNull();
  });

  it('a tab that asked who is logged in before another tab logged out offline follows the logout, which stays pending', async () => {
    const otherTab = TestBed.runInInjectionContext(() => new SessionService());
    const opened = otherTab.restore();
    (await requestFor({ method: 'GET', url: '/api/session' })).flush({ ok: true, ...ANA });
    expect(await opened).toEqual(ANA);
    // The other tab asks again (it came back on screen) on a slow link.
    const asked = otherTab.restore();
    const otherTabAsk = await requestFor({ method: 'GET', url: '/api/session' });

    // This tab logs out offline: the proxy has not heard of it.
    const logout = sessions.logout();
    (await requestFor({ method: 'DELETE', url: '/api/session' })).error(new ProgressEvent('error'), { status: 0 });
    await logout;
    await waitFor(() => otherTab.session() === null, 'the other tab following the logout');

    otherTabAsk.flush({ ok: true, ...ANA });
    await asked;
    expect(otherTab.session()).withContext('the other tab').toBeNull();
    expect(localStorage.getItem('fieldbook.logoutPending')).withContext('the logout still pending').toBe('1');
    expect(localStorage.getItem('fieldbook.lastSession')).withContext('remembered for the next start').toBeNull();
  });

  it('a login made while an older question of who is logged in is on its way keeps its user', async () => {
    const asked = sessions.restore();
    const oldAsk = await requestFor({ method: 'GET', url: '/api/session' });
    const login = sessions.login('ana', 'pw');
    (await requestFor({ method: 'POST', url: '/api/session' })).flush({ ok: true, ...ANA });
    await login;
    // Asked before the login: its 401 is of the cookie the login replaced.
    oldAsk.flush({ error: 'unauthorized', reason: 'no session' }, { status: 401, statusText: 'Unauthorized' });
    await asked;
    expect(sessions.session()).toEqual(ANA);
    expect(localStorage.getItem('fieldbook.lastSession')).not.toBeNull();
  });

  it('tells when the user logged out in another tab, while the session is still there to close its workspace', async () => {
    localStorage.setItem('fieldbook.lastSession', JSON.stringify(ANA));
    const restored = sessions.restore();
    (await requestFor({ method: 'GET', url: '/api/session' })).flush({ ok: true, ...ANA });
    await restored;
    const heard: (Session | null)[] = [];
    sessions.loggedOutElsewhere$.subscribe(() => heard.push(sessions.session()));

    const otherTab = TestBed.runInInjectionContext(() => new SessionService());
    const logout = otherTab.logout();
    (await requestFor({ method: 'DELETE', url: '/api/session' })).flush({ ok: true });
    await logout;
    await waitFor(() => sessions.session() === null, 'this tab following the logout');
    expect(heard).toEqual([ANA]);
  });
});
