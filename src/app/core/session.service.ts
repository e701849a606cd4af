import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Injectable, inject, signal } from '@angular/core';
import { Subject, TimeoutError, firstValueFrom, timeout } from 'rxjs';
import { apiReasonMessage } from '../i18n/api-reason-messages';
import { Session } from './session.model';

const LAST_SESSION_KEY = 'fieldbook.lastSession';
/** A logout the proxy has not heard of yet (made offline): its cookie still names the user. */
const LOGOUT_PENDING_KEY = 'fieldbook.logoutPending';
const SESSION_CHANNEL = 'fieldbook-session';
// On dead Wi-Fi a request can hang for minutes; start offline from the remembered session instead.
const RESTORE_TIMEOUT_MS = 5_000;
/**
 * A login sent as the connection went may never be answered, and the page would wait for minutes.
 * The proxy answers a silent CouchDB after 30 s (proxy/answer-within.ts), and a login can wait on
 * two such questions.
 */
const LOGIN_TIMEOUT_MS = 60_000;

/** A login refusal or failure, with a message fit for the login form. */
export class LoginError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Too many failed logins (429): how long the proxy asks to wait before the next try. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

type SessionMessage = { type: 'login'; name: string } | { type: 'logout' };

/**
 * The proxy session (an HttpOnly cookie the app never sees) and who is logged in.
 *
 * The last good session is remembered in localStorage so the app can start offline and
 * keep working on local data; the replication notices later if the cookie has expired.
 */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private readonly http = inject(HttpClient);
  private readonly current = signal<Session | null>(null);
  private readonly channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(SESSION_CHANNEL) : null;

  private restoring: Promise<Session | null> | null = null;
  /**
   * Counts logins and logouts, here and in other tabs: an answer of the proxy asked for before
   * one of them is about a cookie that has changed since, and must not undo it (on a slow link
   * the start-up question came back after a logout and logged the user in again).
   */
  private changes = 0;
  private readonly freshLogins = new Subject<Session>();
  private readonly logoutsElsewhere = new Subject<void>();

  readonly session = this.current.asReadonly();
  /** A new cookie was issued, in this tab or another one. */
  readonly logins$ = this.freshLogins.asObservable();
  /** The user logged out in another tab, which deleted this device's copy of their data. */
  readonly loggedOutElsewhere$ = this.logoutsElsewhere.asObservable();

  constructor() {
    // Another tab logged in or out: its cookie is ours too, so follow it.
    this.channel?.addEventListener('message', (event: MessageEvent<SessionMessage>) => {
      this.changes++;
      if (event.data.type === 'logout') {
        // Before the session changes: the workspace this tab has open then closes as deleted.
        this.logoutsElsewhere.next();
        this.forget();
      } else void this.restore().then((session) => session && this.freshLogins.next(session));
    });
  }

  /**
   * Resolves once the first page can know who is logged in; read `session()` for the current
   * user. A device that remembers a session starts from it at once: the proxy is asked
   * meanwhile, and its answer (signed out, someone else, new roles) takes over when it comes, as
   * a change made in another tab does. Only a device that remembers nobody waits for it. On a
   * weak connection in the field that answer can take seconds (up to RESTORE_TIMEOUT_MS), and
   * the tablet's own records should not wait for it.
   */
  ready(): Promise<Session | null> {
    if (!this.restoring) {
      const remembered = this.lastSession();
      const asked = this.restore();
      if (remembered && !this.current()) this.current.set(remembered);
      this.restoring = remembered ? Promise.resolve(remembered) : asked;
    }
    return this.restoring;
  }

  /** Finds out who is logged in: the proxy if it answers, else the remembered session. */
  async restore(): Promise<Session | null> {
    const asked = this.changes;
    // The cookie of a logout made offline would log its user back in: end it first, or stay out.
    if (localStorage.getItem(LOGOUT_PENDING_KEY) && !(await this.endProxySession())) {
      if (asked === this.changes) this.forget();
      return this.current();
    }
    try {
      const session = await firstValueFrom(this.http.get<Session>('/api/session').pipe(timeout(RESTORE_TIMEOUT_MS)));
      if (asked === this.changes) this.remember(session);
    } catch (error) {
      if (asked !== this.changes) return this.current();
      if (error instanceof HttpErrorResponse && error.status === 401) this.forget();
      else this.current.set(this.lastSession());
    }
    return this.current();
  }

  async login(name: string, password: string): Promise<Session> {
    try {
      const answer = await firstValueFrom(this.http.post<Session>('/api/session', { name, password }).pipe(timeout(LOGIN_TIMEOUT_MS)));
      this.changes++;
      const session = this.remember(answer);
      this.channel?.postMessage({ type: 'login', name: session.name } satisfies SessionMessage);
      this.freshLogins.next(session);
      return session;
    } catch (error) {
      throw toLoginError(error);
    }
  }

  /**
   * Ends the proxy session; the local state is cleared even when the proxy is unreachable. Then
   * the cookie stays, and the logout is kept pending until the proxy hears of it (`restore`).
   */
  async logout(): Promise<void> {
    this.changes++;
    localStorage.setItem(LOGOUT_PENDING_KEY, '1');
    await this.endProxySession();
    this.forget();
    this.channel?.postMessage({ type: 'logout' } satisfies SessionMessage);
  }

  /** Whether the proxy has ended its session (or had none); the pending logout is done then. */
  private async endProxySession(): Promise<boolean> {
    try {
      await firstValueFrom(this.http.delete('/api/session').pipe(timeout(RESTORE_TIMEOUT_MS)));
      localStorage.removeItem(LOGOUT_PENDING_KEY);
      return true;
    } catch {
      return false;
    }
  }

  private remember({ name, roles, db, hub }: Session): Session {
    const session: Session = hub ? { name, roles, db, hub } : { name, roles, db };
    // A new login's cookie replaced the one a pending logout was to end.
    localStorage.removeItem(LOGOUT_PENDING_KEY);
    localStorage.setItem(LAST_SESSION_KEY, JSON.stringify(session));
    this.current.set(session);
    return session;
  }

  private forget(): void {
    localStorage.removeItem(LAST_SESSION_KEY);
    this.current.set(null);
  }

  private lastSession(): Session | null {
    try {
      const stored = JSON.parse(localStorage.getItem(LAST_SESSION_KEY) ?? 'null');
      return stored && typeof stored.name === 'string' && typeof stored.db === 'string' ? stored : null;
    } catch {
      return null;
    }
  }
}

function toLoginError(error: unknown): LoginError {
  const unreachable = () => new LoginError($localize`:@@login.unreachable:The server cannot be reached. Check the connection.`, 0);
  if (error instanceof TimeoutError) return unreachable();
  if (error instanceof HttpErrorResponse) {
    // The proxy's only 401 here is a wrong name or password: said in the user's language.
    if (error.status === 401) return new LoginError($localize`:@@login.wrongPassword:Name or password is incorrect.`, 401);
    const reason: unknown = error.error?.reason;
    // No answer; with the service worker that is its empty 504 for a fetch that failed (offline, or the proxy down).
    if (error.status === 0 || (error.status === 504 && !reason)) return unreachable();
    if (error.status === 429) {
      const seconds = Number(error.headers.get('Retry-After'));
      const wait = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 60;
      return new LoginError($localize`:@@login.throttled:Too many failed sign-ins.`, 429, wait);
    }
    return new LoginError(
      typeof reason === 'string' && reason
        ? apiReasonMessage(reason)
        : $localize`:@@login.failedStatus:Login failed (${error.status}:status:).`,
      error.status,
    );
  }
  return new LoginError($localize`:@@login.failed:Login failed.`, 0);
}
