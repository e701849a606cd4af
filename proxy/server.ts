import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import pino, { type Logger } from 'pino';
import { basicAuthorization, couchAdmin, splitCredentials } from '../couch/couch-admin';
import { readAppSettings, setArchiveDays } from '../couch/app-settings';
import { userAccounts } from '../couch/user-accounts';
import { SESSIONS_DB } from '../couch/user-sessions';
import { DEFAULT_LIMITS, type AdmissionLimits } from './admission';
import { createProxyApp } from './app';
import { DEFAULT_ANSWER_MS } from './answer-within';
import { overloaded, sendCouchError } from './couch-error';
import { deviceKeyIn } from './device-key';
import { databaseReadiness } from './health';
import type { ThrottleLimits } from './login-throttle';
import { metricsUrlOf, serveMetrics } from './metrics-port';
import { registrySource, type MetricsSource } from './metrics-source';
import { SessionStore } from './session-store';
import { watchSessions } from './session-watch';
import { DEFAULT_STATIC_DIR } from './package-root';
import { watchUsers } from './user-watch';
import { startBackgroundWork } from './background-work';

const LISTEN_BACKLOG = 4096;
/** Tries at cutting off a changed user, 5, 10, 15... s apart. */
const CUT_OFF_ATTEMPTS = 6;
export interface ProxyOptions {
  /**
   * CouchDB URL with admin credentials; the proxy uses them only for its session store, to
   * watch `_users`, to list user names for supervisors, to read the server-side settings and
   * to hand reassigned inspections' records over.
   */
  couchAdminUrl: string;
  port: number;
  host?: string;
  sessionMaxAgeDays?: number;
  staticDir?: string;
  secureCookies?: boolean;
  logger?: Logger;
  /**
   * Open feeds and requests towards CouchDB, and the bodies read meanwhile; defaults from FIELDBOOK_MAX_FEEDS,
   * FIELDBOOK_MAX_FEEDS_PER_USER, FIELDBOOK_MAX_REQUESTS, FIELDBOOK_MAX_REQUESTS_PER_USER, FIELDBOOK_MAX_BUFFERED_BODY_BYTES,
   * FIELDBOOK_BODY_SILENCE_MS, FIELDBOOK_MIN_BODY_BYTES_PER_S.
   */
  limits?: AdmissionLimits;
  /** How long CouchDB may stay silent on an ordinary request (FIELDBOOK_COUCH_SILENCE_MS, default 120 s). */
  requestSilenceMs?: number;
  /** How long a login, a Basic check or a session read waits on CouchDB before 504 (FIELDBOOK_COUCH_ANSWER_MS, default 30 s). */
  couchAnswerMs?: number;
  /** Failed logins allowed per name and address, per name and per address before 429 (login-throttle.ts defaults). */
  throttle?: ThrottleLimits;
  /**
   * Addresses and CIDR ranges of reverse proxies in front of this one (a TLS terminator), whose
   * X-Forwarded-For names the client (FIELDBOOK_TRUSTED_PROXIES, read by main.ts); none by default,
   * when failed logins count by the connection's address.
   */
  trustedProxies?: readonly string[];
  /** A loopback-only port serving `/metrics` to anyone who can reach it (FIELDBOOK_METRICS_PORT); none by default or if 0. */
  metricsPort?: number;
  /** What `/metrics` shows instead of this process's own registry (a cluster worker: the whole group's, from the primary). */
  metricsSource?: MetricsSource;
  /** On close, how long ordinary requests may finish before their connections are cut (FIELDBOOK_DRAIN_MS, default 10 s). */
  drainMs?: number;
  /**
   * Whether this process does the background work (background-work.ts: the reassignment
   * handover, the partner withdrawal, the sweep of expired sessions); default true. A
   * node:cluster primary does it for its workers.
   */
  backgroundWork?: boolean;
}

export interface RunningProxy {
  url: string;
  server: Server;
  /** `http://127.0.0.1:<port>/metrics` when a metrics port was asked for. */
  metricsUrl?: string;
  /** This process's own metrics (a cluster worker hands them to the primary). */
  metrics: Registry;
  /** Drains: stops accepting, ends live feeds at once, lets other requests finish within the drain bound. */
  close(): Promise<void>;
}

export { DEFAULT_STATIC_DIR };

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const logger = options.logger ?? pino({ level: process.env['LOG_LEVEL'] ?? 'info' });
  const sessionMaxAgeMs = (options.sessionMaxAgeDays ?? 30) * 24 * 3600_000;
  const admin = couchAdmin(options.couchAdminUrl);
  const { url: couchUrl, name, password } = splitCredentials(options.couchAdminUrl);
  const adminAuthorization = basicAuthorization(name, password);
  const couchAnswerMs = options.couchAnswerMs ?? envNumber('FIELDBOOK_COUCH_ANSWER_MS', DEFAULT_ANSWER_MS);
  const { handle, cutOffUser, sessionEnded, endFeeds, metrics } = createProxyApp({
    couchUrl,
    readiness: databaseReadiness(couchUrl, adminAuthorization, SESSIONS_DB),
    sessions: new SessionStore(admin, sessionMaxAgeMs, couchAnswerMs),
    accounts: userAccounts(admin),
    settings: { read: () => readAppSettings(admin), setArchiveDays: (days) => setArchiveDays(admin, days) },
    sessionMaxAgeMs,
    secureCookies: options.secureCookies ?? false,
    staticDir: options.staticDir ?? DEFAULT_STATIC_DIR,
    logger,
    limits: options.limits ?? limitsFromEnv(),
    requestSilenceMs: options.requestSilenceMs ?? envNumber('FIELDBOOK_COUCH_SILENCE_MS', 120_000),
    couchAnswerMs,
    throttle: options.throttle,
    deviceKey: deviceKeyIn(admin),
    trustedProxies: options.trustedProxies,
    metricsSource: options.metricsSource,
  });
  // Every online tablet reconnects at once after a restart or a network flap: Node's default
  // accept queue of 511 overflowed at 5,000 feeds opening together and reset 252 of them.
  // The kernel caps it at net.core.somaxconn (4096 on current Linux).
  let draining = false;
  // Closing stops new connections only: a client may send its next request on a kept-alive one
  // (CouchDB's replicator asks for its feed again the moment the proxy ends it). Served, that
  // feed would run until the drain bound and be cut there.
  const server = createServer((req, res) => (draining ? refuseWhileDraining(res) : handle(req, res))).listen({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    backlog: LISTEN_BACKLOG,
  });
  await once(server, 'listening');
  // Asked again while CouchDB fails: until its sessions are deleted there, they stay valid (the
  // watch has moved past the change), also with the roles of a demoted user.
  const cutOff = (name: string, attempt = 1): void =>
    void cutOffUser(name).catch((error: Error) => {
      logger.error({ error: error.message, name, attempt }, 'could not cut off a changed user');
      if (attempt < CUT_OFF_ATTEMPTS) setTimeout(() => cutOff(name, attempt + 1), 5_000 * attempt).unref();
    });
  const userWatch = watchUsers(options.couchAdminUrl, (name) => cutOff(name), logger);
  // Other proxy processes on the same CouchDB end sessions too (logouts, expiries).
  const sessionWatch = watchSessions(options.couchAdminUrl, sessionEnded, logger);
  const backgroundWork =
    options.backgroundWork === false
      ? null
      : startBackgroundWork({ couch: admin, couchAdminUrl: options.couchAdminUrl, logger, registry: metrics.registry });
  // Continuous `_changes` feeds stay open for hours; heartbeats keep them alive.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  const address = server.address() as { port: number };
  const metricsPort = options.metricsPort ?? envNumber('FIELDBOOK_METRICS_PORT', 0);
  const metricsServer = metricsPort ? await serveMetrics(metricsPort, options.metricsSource ?? registrySource(metrics.registry)) : null;
  const drainMs = options.drainMs ?? envNumber('FIELDBOOK_DRAIN_MS', 10_000);
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    server,
    metricsUrl: metricsServer ? metricsUrlOf(metricsServer) : undefined,
    metrics: metrics.registry,
    async close() {
      draining = true;
      userWatch.stop();
      sessionWatch.stop();
      backgroundWork?.stop();
      // Stop accepting first, so clients see a refused connection rather than a cut one.
      const closed = once(server, 'close');
      server.close();
      // Feeds never finish by themselves: end them now, so their clients reconnect at once.
      endFeeds();
      // Connections finishing their last request close as they go idle; the rest at the bound.
      const idle = setInterval(() => server.closeIdleConnections(), 50);
      const bound = setTimeout(() => server.closeAllConnections(), drainMs);
      await closed;
      clearInterval(idle);
      clearTimeout(bound);
      metricsServer?.close();
    },
  };
}

function refuseWhileDraining(res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  sendCouchError(res, overloaded('The proxy is restarting; try again.', 1));
}

function limitsFromEnv(): AdmissionLimits {
  return {
    maxFeeds: envNumber('FIELDBOOK_MAX_FEEDS', DEFAULT_LIMITS.maxFeeds),
    maxFeedsPerUser: envNumber('FIELDBOOK_MAX_FEEDS_PER_USER', DEFAULT_LIMITS.maxFeedsPerUser),
    maxRequests: envNumber('FIELDBOOK_MAX_REQUESTS', DEFAULT_LIMITS.maxRequests),
    maxRequestsPerUser: envNumber('FIELDBOOK_MAX_REQUESTS_PER_USER', DEFAULT_LIMITS.maxRequestsPerUser),
    maxBufferedBodyBytes: envNumber('FIELDBOOK_MAX_BUFFERED_BODY_BYTES', DEFAULT_LIMITS.maxBufferedBodyBytes),
    bodySilenceMs: envNumber('FIELDBOOK_BODY_SILENCE_MS', DEFAULT_LIMITS.bodySilenceMs),
    minBodyBytesPerS: envNumber('FIELDBOOK_MIN_BODY_BYTES_PER_S', DEFAULT_LIMITS.minBodyBytesPerS),
  };
}

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
