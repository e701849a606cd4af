import express, { type CookieOptions, type Request, type Response } from 'express';
import { parseCookie } from 'cookie';
import type { Logger } from 'pino';
import { HUB_DB } from '../domain/db-names';
import { roleOfCouchRoles, worksInHub, type FieldbookRole } from '../domain/roles';
import { userDbName } from '../domain/user-db-name';
import { clientForCouch, couchLockout, SESSION_COOKIE, type Authenticator } from './authenticate';
import { badGateway, badRequest, sendCouchError, unauthorized } from './couch-error';
import { answerWithin } from './answer-within';
import { DEVICE_COOKIE, DEVICE_COOKIE_PATH, DEVICE_MAX_AGE_MS, type DeviceCookies } from './device-cookie';
import { smallJson } from './api-body';
import type { LiveRequests } from './live-requests';
import type { LoginAttempt, LoginThrottle } from './login-throttle';
import type { SessionStore } from './session-store';

interface SessionRouteDeps {
  couchUrl: string;
  sessions: SessionStore;
  authenticator: Authenticator;
  liveRequests: LiveRequests;
  throttle: LoginThrottle;
  /** The browsers a name logged in from, which its cap for failed logins does not stop (login-throttle.ts). */
  devices: DeviceCookies;
  maxAgeMs: number;
  /** How long CouchDB may take to answer a login before it is answered 504. */
  answerMs: number;
  secureCookies: boolean;
  logger: Logger;
  /** The login's Fieldbook role now, from `_users` (null: no such login). */
  currentLogin(name: string): Promise<{ role: FieldbookRole | null; disabled: boolean } | null>;
}

/**
 * Half a UTF-16 surrogate pair: JSON.stringify writes it as `\ud800`, which CouchDB 3.4 refuses
 * (400), so such a login would come back as the database server failing (502).
 */
const LONE_SURROGATE = /\p{Cs}/u;

/** `/api/session`: log in with CouchDB, hand the browser an opaque HttpOnly session id. */
export function sessionRoutes(deps: SessionRouteDeps) {
  const { couchUrl, sessions, authenticator, liveRequests, throttle, devices, maxAgeMs, answerMs, secureCookies, logger } = deps;
  const router = express.Router();
  const cookieOptions: CookieOptions = { httpOnly: true, sameSite: 'strict', secure: secureCookies, path: '/' };
  const describe = (name: string, roles: string[]) => {
    const role = roleOfCouchRoles(roles);
    return { ok: true, name, roles, db: userDbName(name), ...(role && worksInHub(role) ? { hub: HUB_DB } : {}) };
  };

  /**
   * The roles a new session gets: CouchDB's answer, unless the login changed a moment ago.
   * CouchDB's login cache then still answers with the old password and roles (a demoted admin
   * was let in as admin, a removed user at all), and the session would keep them for its life:
   * `_users` says what the login is now (null: refused).
   */
  const rolesNow = async (name: string, answered: string[]): Promise<string[] | null> => {
    if (!authenticator.isUnsettled(name)) return answered;
    const login = await deps.currentLogin(name);
    if (!login || login.disabled) return null;
    return roleOfCouchRoles(answered) === login.role ? answered : login.role ? [login.role] : [];
  };

  /**
   * The device id of the browser's device cookie for `name`, or null. Its key unreadable (CouchDB
   * unreachable), the browser is a stranger: throttled as before, not refused.
   */
  const knownDevice = (req: Request, name: string): Promise<string | null> =>
    answerWithin(devices.deviceOf(parseCookie(req.headers.cookie ?? '')[DEVICE_COOKIE], name), answerMs).catch((error: Error) => {
      logger.warn({ error: error.message }, 'could not check a device cookie');
      return null;
    });

  /** Marks the browser as a device `name` logged in from; it logs in anyway if that fails. */
  const rememberDevice = async (res: Response, name: string): Promise<void> => {
    try {
      const cookie = await answerWithin(devices.issue(name), answerMs);
      res.cookie(DEVICE_COOKIE, cookie, { ...cookieOptions, path: DEVICE_COOKIE_PATH, maxAge: DEVICE_MAX_AGE_MS });
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'could not issue a device cookie');
    }
  };

  router.post('/', smallJson, async (req: Request, res: Response) => {
    const { name, password } = (req.body ?? {}) as { name?: unknown; password?: unknown };
    if (typeof name !== 'string' || typeof password !== 'string' || !name || !password) {
      return sendCouchError(res, badRequest('Send {"name", "password"} as JSON.'));
    }
    if (LONE_SURROGATE.test(name) || LONE_SURROGATE.test(password)) {
      return sendCouchError(res, badRequest('The name and password must be valid Unicode text.'));
    }
    const address = authenticator.clientAddress(req);
    const device = await knownDevice(req, name);
    const attempt = await throttle.begin(name, address, device);
    if (!('end' in attempt)) return sendCouchError(res, attempt);
    try {
      await logIn(res, name, password, address, attempt);
    } finally {
      attempt.end();
    }
  });

  /** Asks CouchDB whether `name` logs in with `password`; on success the browser gets its session. */
  const logIn = async (res: Response, name: string, password: string, address: string | undefined, attempt: LoginAttempt) => {
    const response = await fetch(`${couchUrl}/_session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...clientForCouch(address) },
      body: JSON.stringify({ name, password }),
      signal: AbortSignal.timeout(answerMs),
    });
    if (response.status === 401) {
      await attempt.failed();
      return sendCouchError(res, unauthorized('Name or password is incorrect.'));
    }
    if (response.status === 403) {
      // CouchDB 3.4 locked the name out at this address after failures of its own count (default 5 minutes).
      await attempt.failed();
      return sendCouchError(res, couchLockout());
    }
    if (!response.ok) {
      return sendCouchError(res, badGateway(`The database server answered ${response.status}.`));
    }
    const couchCookie = /AuthSession=([^;]+)/.exec(response.headers.get('set-cookie') ?? '')?.[1];
    const body = (await response.json()) as { name: string; roles: string[] };
    if (!couchCookie) return sendCouchError(res, badGateway('The database server gave no session.'));
    const roles = await rolesNow(body.name, body.roles);
    if (!roles) return sendCouchError(res, unauthorized('Name or password is incorrect.'));
    await attempt.succeeded(body.name);
    const sessionId = await sessions.create({ name: body.name, roles, couchCookie });
    res.cookie(SESSION_COOKIE, sessionId, { ...cookieOptions, maxAge: maxAgeMs });
    // A new one at every login: its expiry starts again.
    await rememberDevice(res, body.name);
    res.json(describe(body.name, roles));
  };

  router.get('/', async (req: Request, res: Response) => {
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    if (identity.kind === 'session') {
      // Renew the browser's cookie too: a tablet that comes back after days stays logged in.
      res.cookie(SESSION_COOKIE, identity.sessionId, { ...cookieOptions, maxAge: maxAgeMs });
    }
    res.json(describe(identity.caller.name, identity.caller.roles));
  });

  router.delete('/', async (req: Request, res: Response) => {
    const identity = await authenticator.identify(req);
    if (identity?.kind === 'session') {
      try {
        await sessions.revoke(identity.sessionId);
      } finally {
        liveRequests.end(identity.caller.name, identity.sessionId);
      }
    }
    res.clearCookie(SESSION_COOKIE, cookieOptions);
    res.json({ ok: true });
  });

  return router;
}
