import type { KeyObject } from 'node:crypto';
import type { RequestListener } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { UserAccounts } from '../couch/user-accounts';
import { adminRoutes } from './admin-routes';
import { userAdminRoutes } from './user-admin-routes';
import { Authenticator } from './authenticate';
import { clientAddressOf } from './client-address';
import { pacedBody } from './api-body';
import { Admission, DEFAULT_LIMITS, type AdmissionLimits } from './admission';
import { couchForward, upstreamPools, type Upstream } from './couch-forward';
import { notFound, refusalOf, sendCouchError } from './couch-error';
import { answerWithin, DEFAULT_ANSWER_MS } from './answer-within';
import { boundAnsweredBodyDrain } from './answered-body-drain';
import { databasePolicy } from './db-grants';
import { DeviceCookies } from './device-cookie';
import { dbRoute, isDbRequest } from './db-route';
import { directoryRoute } from './directory-route';
import { fauxtonPolicy, fauxtonTraffic } from './fauxton-access';
import { liveness, readiness, type Readiness } from './health';
import { LiveRequests } from './live-requests';
import { LoginThrottle, type ThrottleLimits } from './login-throttle';
import { ProxyMetrics } from './metrics';
import { metricsRoute } from './metrics-route';
import { registrySource, type MetricsSource } from './metrics-source';
import { securityHeaders } from './security-headers';
import { sessionRoutes } from './session-routes';
import { settingsAdminRoutes, settingsRoute, type SettingsStore } from './settings-route';
import type { SessionStore } from './session-store';
import { staticPwa } from './static-pwa';

export interface ProxyAppOptions {
  /** CouchDB's base URL without credentials: the proxy forwards as the caller, never as admin. */
  couchUrl: string;
  sessions: SessionStore;
  sessionMaxAgeMs: number;
  secureCookies: boolean;
  staticDir: string;
  logger: Logger;
  /**
   * Logins, as server admin: the admin API changes them once it knows the caller is an admin;
   * supervisors pick inspectors and partners from their list.
   */
  accounts: UserAccounts;
  /** The server-side settings (archive period), kept as server admin: every signed-in user may read them, admins change them. */
  settings: SettingsStore;
  /** How many feeds and requests may be open towards CouchDB (admission.ts). */
  limits?: AdmissionLimits;
  /** How long CouchDB may stay silent on an ordinary request (feeds: two missed heartbeats). */
  requestSilenceMs?: number;
  /** How long a client waits on CouchDB's answer to a question of the proxy's own (answer-within.ts). */
  couchAnswerMs?: number;
  /** Failed logins allowed per name and address, per name and per address (login-throttle.ts). */
  throttle?: ThrottleLimits;
  /** The key device cookies are signed with, the same in every proxy process (device-key.ts). */
  deviceKey: () => Promise<KeyObject>;
  /** Reverse proxies in front of this one, whose X-Forwarded-For names the client (client-address.ts); none by default. */
  trustedProxies?: readonly string[];
  /** Whether CouchDB serves database requests now (health.ts). */
  readiness: Readiness;
  /** What `/metrics` shows; this process's own registry by default (a cluster worker: the group's). */
  metricsSource?: MetricsSource;
}

export interface ProxyApp {
  /** Every request: `/db` to the database route, everything else to the Express app. */
  handle: RequestListener;
  /** A user's login changed (disabled, removed, new roles or password): end their sessions and open feeds now. */
  cutOffUser(name: string): Promise<void>;
  /** A session was deleted, maybe by another proxy process (its key, as the sessions feed names it): forget it, end its requests. */
  sessionEnded(key: string): void;
  /** Ends every open live feed (shutting down: their clients reconnect at once, elsewhere). */
  endFeeds(): void;
  metrics: ProxyMetrics;
}

export function createProxyApp(options: ProxyAppOptions): ProxyApp {
  const { couchUrl, sessions, logger } = options;
  const metrics = new ProxyMetrics(() => sessions.cachedCount);
  const throttle = new LoginThrottle(options.throttle, () => metrics.loginThrottled());
  const answerMs = options.couchAnswerMs ?? DEFAULT_ANSWER_MS;
  const authenticator = new Authenticator(couchUrl, sessions, throttle, answerMs, clientAddressOf(options.trustedProxies ?? []));
  const liveRequests = new LiveRequests();
  const upstream: Upstream = {
    couchUrl,
    admission: new Admission(options.limits ?? DEFAULT_LIMITS),
    agents: upstreamPools(),
    requestSilenceMs: options.requestSilenceMs ?? 120_000,
    maxCheckedBodyBytes: 16 * 1024 * 1024,
    observer: metrics,
  };
  const forward = { upstream, authenticator, sessions, liveRequests, logger };
  const db = dbRoute({
    couchUrl,
    authenticator,
    forwardToCouch: couchForward({ ...forward, policy: databasePolicy }),
    answerMs,
    logger,
  });
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(
    pinoHttp({
      logger,
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      // `/db` does not come here: it logs its failures itself (failure-log.ts).
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    }),
  );
  app.use(securityHeaders());
  // Before the app's own routes: Fauxton's calls to CouchDB may have any path.
  app.use(fauxtonTraffic(couchForward({ ...forward, policy: fauxtonPolicy })));

  app.get(['/health', '/health/ready'], readiness(options.readiness));
  app.get('/health/live', liveness());
  // What the proxy asks CouchDB as server admin for a waiting client is answered within the limit too.
  const admins = { authenticator, isCurrentAdmin: (name: string) => answerWithin(options.accounts.isCurrentAdmin(name), answerMs) };
  const currentLogin = (name: string) => answerWithin(options.accounts.get(name), answerMs);
  app.get('/metrics', ...metricsRoute(admins, options.metricsSource ?? registrySource(metrics.registry)));
  app.use('/api', pacedBody(upstream.admission.bodyPace));
  app.use(
    '/api/session',
    sessionRoutes({
      couchUrl,
      sessions,
      authenticator,
      liveRequests,
      throttle,
      devices: new DeviceCookies(options.deviceKey),
      maxAgeMs: options.sessionMaxAgeMs,
      answerMs,
      secureCookies: options.secureCookies,
      logger,
      currentLogin,
    }),
  );
  const settings: SettingsStore = {
    read: () => answerWithin(options.settings.read(), answerMs),
    setArchiveDays: (days) => answerWithin(options.settings.setArchiveDays(days), answerMs),
  };
  app.use('/api/admin/users', userAdminRoutes({ admins, accounts: options.accounts, answerMs }));
  app.use('/api/admin/settings', settingsAdminRoutes({ admins, settings }));
  app.use('/api/admin', adminRoutes({ couchUrl, admins, answerMs }));
  app.get('/api/directory', directoryRoute({ admins, currentLogin, listUsers: () => answerWithin(options.accounts.list(), answerMs) }));
  app.get('/api/settings', settingsRoute({ authenticator, settings }));
  app.use('/api', (_req: Request, res: Response) => sendCouchError(res, notFound()));
  app.use(staticPwa(options.staticDir));
  app.use((_req: Request, res: Response) => sendCouchError(res, notFound()));
  app.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    const refusal = refusalOf(error);
    if (refusal.status >= 500) req.log?.error({ err: error }, 'request failed');
    sendCouchError(res, refusal);
  });

  return {
    handle: (req, res) => {
      metrics.countRequest(req, res);
      boundAnsweredBodyDrain(req, res, upstream.admission.bodyPace);
      if (isDbRequest(req.url!)) db(req, res);
      else app(req, res);
    },
    endFeeds: () => liveRequests.endFeeds(),
    sessionEnded(key: string) {
      sessions.forgetKey(key);
      liveRequests.endSession(key);
    },
    metrics,
    async cutOffUser(name: string) {
      // Sessions first (the cached ones are ended before CouchDB is asked), so the client's
      // reconnect after the cut is already refused; its feeds end even if CouchDB fails.
      authenticator.forgetBasic(name);
      try {
        await sessions.revokeUser(name);
      } finally {
        liveRequests.end(name);
      }
    },
  };
}
