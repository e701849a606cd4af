/**
 * The proxy alone, as production runs it (no bootstrap, no embedded server), compiled to
 * dist/proxy/main.js by `npm run build:proxy` and run with plain `node`. Several of these
 * may share one CouchDB, since sessions live there; FIELDBOOK_PROXY_WORKERS=N runs N of
 * them as node:cluster workers on one port (worker-pool.ts).
 *
 * Env: COUCH_URL (CouchDB URL with admin credentials), PORT (default 8080), HOST (default
 * 127.0.0.1), FIELDBOOK_STATIC_DIR (the built PWA), FIELDBOOK_SESSION_DAYS,
 * FIELDBOOK_SECURE_COOKIES (true or false), FIELDBOOK_TRUSTED_PROXIES (addresses and CIDR ranges of
 * reverse proxies in front, whose X-Forwarded-For names the client), LOG_LEVEL, FIELDBOOK_PROXY_WORKERS (default 1),
 * FIELDBOOK_METRICS_PORT, FIELDBOOK_DRAIN_MS, and the limits read by server.ts (FIELDBOOK_MAX_FEEDS, ...).
 * Prints one JSON line `{"url", "pid", "metrics"}` on stdout once it listens (all workers,
 * with workers). With workers the primary serves the metrics port, and every `/metrics`
 * answer is the whole group's (cluster-metrics.ts). SIGTERM drains and exits within the
 * drain bound. With FIELDBOOK_EXIT_WITH_STDIN=1 it also drains when its stdin ends (a parent
 * that runs it as a child died). When it cannot start (a setting it cannot use, its port in
 * use) it says why in one sentence on stderr, once for all workers, and exits with code 1.
 */
import cluster from 'node:cluster';
import pino from 'pino';
import { prometheusContentType } from 'prom-client';
import { GroupMetrics } from './cluster-metrics';
import { answerGathers, groupMetricsFromPrimary, processChannel } from './cluster-metrics-worker';
import { parseTrustedProxies } from './client-address';
import { couchAdmin } from '../couch/couch-admin';
import { countFromEnv, flagFromEnv, portFromEnv, positiveNumberFromEnv } from '../domain/env-number';
import { startBackgroundWork } from './background-work';
import { metricsUrlOf, serveMetrics } from './metrics-port';
import { DEFAULT_STATIC_DIR, startProxy } from './server';
import { superviseWorkers, type WorkerPool } from './worker-pool';

/** Past the drain bound plus this, the process exits whatever is still running. */
const EXIT_GRACE_MS = 2_000;
/** How long the primary waits for one worker's metrics before leaving it out of a scrape. */
const GATHER_WITHIN_MS = 2_000;
/** How long a worker's `/metrics` waits for the primary's gather (which is bounded itself) before a 503. */
const ASK_PRIMARY_WITHIN_MS = 5_000;

type Settings = ReturnType<typeof readSettings>;

/** Settings whose bad value would only show later (as NaN in every login's cookie): refused at start, in one sentence. */
function readSettings(env: NodeJS.ProcessEnv) {
  return {
    couchAdminUrl: requiredCouchUrl(env),
    port: portFromEnv(env, 'PORT', 8080, 0),
    sessionMaxAgeDays: positiveNumberFromEnv(env, 'FIELDBOOK_SESSION_DAYS', 30),
    trustedProxies: parseTrustedProxies(env['FIELDBOOK_TRUSTED_PROXIES']),
    // As NaN, SIGTERM exited at once with code 1, cutting the requests in flight.
    drainMs: positiveNumberFromEnv(env, 'FIELDBOOK_DRAIN_MS', 10_000),
    metricsPort: portFromEnv(env, 'FIELDBOOK_METRICS_PORT', 0, 0),
    secureCookies: flagFromEnv(env, 'FIELDBOOK_SECURE_COOKIES', false),
    workers: countFromEnv(env, 'FIELDBOOK_PROXY_WORKERS', 1),
  };
}

async function runProxy(logger: pino.Logger, { workers: _group, ...settings }: Settings): Promise<void> {
  const env = process.env;
  const channel = cluster.isWorker ? processChannel() : undefined;
  const proxy = await startProxy({
    ...settings,
    host: env['HOST'] ?? '127.0.0.1',
    staticDir: env['FIELDBOOK_STATIC_DIR'] ?? DEFAULT_STATIC_DIR,
    logger,
    backgroundWork: !channel,
    // A worker shows the group's metrics, asked of the primary, which also serves the metrics port.
    ...(channel && { metricsPort: 0, metricsSource: groupMetricsFromPrimary(channel, ASK_PRIMARY_WITHIN_MS, prometheusContentType) }),
  });
  const ready = { url: proxy.url, pid: process.pid, metrics: proxy.metricsUrl };
  if (channel) {
    // Before `ready`: the primary asks a worker for its metrics from then on.
    answerGathers(proxy.metrics, channel);
    process.send!({ ready });
  } else process.stdout.write(JSON.stringify(ready) + '\n');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    setTimeout(() => process.exit(1), settings.drainMs + EXIT_GRACE_MS).unref();
    void proxy.close().then(() => process.exit(0));
  };
  onStopSignal(stop);
}

function requiredCouchUrl(env: NodeJS.ProcessEnv): string {
  const couchAdminUrl = env['COUCH_URL'];
  if (!couchAdminUrl) throw new Error('COUCH_URL (with admin credentials) is required');
  return couchAdminUrl;
}

function onStopSignal(stop: (signal: string) => void): void {
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  if (process.env['FIELDBOOK_EXIT_WITH_STDIN'] === '1' && !cluster.isWorker) {
    process.stdin.once('end', () => stop('stdin closed'));
    process.stdin.resume();
  }
}

async function main(): Promise<void> {
  const env = process.env;
  const logger = pino({ level: env['LOG_LEVEL'] ?? 'info' }, pino.destination(2));
  // Before any worker starts: a bad setting is refused once, not by each of them.
  const settings = readSettings(env);
  if (cluster.isPrimary && settings.workers > 1) return runPrimary(logger, settings.workers, settings);
  return runProxy(logger, settings);
}

/** The node:cluster primary: the workers, and the one metrics port, which shows them all. */
async function runPrimary(logger: pino.Logger, count: number, { couchAdminUrl, drainMs, metricsPort }: Settings): Promise<void> {
  // Started once the metrics port listens (the ready line names it); until then no worker is asked.
  let pool: WorkerPool | undefined = undefined;
  const metrics = new GroupMetrics(() => pool?.listening() ?? [], GATHER_WITHIN_MS);
  // The background work once for the group: the workers would each repeat it.
  startBackgroundWork({ couch: couchAdmin(couchAdminUrl), couchAdminUrl, logger, registry: metrics.registry });
  cluster.on('message', (worker, message) => metrics.received(worker, message));
  const metricsServer = metricsPort > 0 ? await serveMetrics(metricsPort, metrics) : undefined;
  pool = superviseWorkers({
    count,
    logger,
    stopWithinMs: drainMs + EXIT_GRACE_MS,
    onStopSignal,
    metricsUrl: metricsServer && metricsUrlOf(metricsServer),
  });
  await pool.started;
}

/** Why the proxy could not start, in one sentence for the operator, as `npm start` and the bootstrap say theirs (no stack). */
function startFailure(error: unknown): string {
  const { code, address, port } = error as { code?: string; address?: string; port?: number };
  if (code === 'EADDRINUSE') {
    const setting = port === Number(process.env['FIELDBOOK_METRICS_PORT']) ? 'FIELDBOOK_METRICS_PORT' : 'PORT';
    return `Port ${port} on ${address} is in use: stop what holds it or set ${setting}.`;
  }
  return error instanceof Error ? error.message : String(error);
}

main().catch((error: unknown) => {
  const failure = startFailure(error);
  // A worker tells the primary, which says it once for the group.
  if (cluster.isWorker) process.send!({ failed: failure }, undefined, undefined, () => process.exit(1));
  else {
    console.error(failure);
    process.exit(1);
  }
});
