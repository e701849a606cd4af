/**
 * The proxy alone, as production runs it (no bootstrap, no embedded server), compiled to
 * dist/proxy/main.js by `npm run build:proxy` and run with plain `node`. Several of these
 * may share one CouchDB, since sessions live there; FIELDBOOK_PROXY_WORKERS=N runs N of
 * them as node:cluster workers on one port (worker-pool.ts).
 *
 * Env: COUCH_URL (CouchDB URL with admin credentials), PORT (default 8080), HOST (default
 * 127.0.0.1), FIELDBOOK_STATIC_DIR (the built PWA), FIELDBOOK_SESSION_DAYS,
 * FIELDBOOK_SECURE_COOKIES (true or 1), LOG_LEVEL, FIELDBOOK_PROXY_WORKERS (default 1), and
 * the limits read by server.ts (FIELDBOOK_MAX_FEEDS, FIELDBOOK_METRICS_PORT, FIELDBOOK_DRAIN_MS, ...).
 * Prints one JSON line `{"url", "pid", "metrics"}` on stdout once it listens (all workers,
 * with workers). With workers the primary serves the metrics port, and every `/metrics`
 * answer is the whole group's (cluster-metrics.ts). SIGTERM drains and exits within the
 * drain bound. With FIELDBOOK_EXIT_WITH_STDIN=1 it also drains when its stdin ends (a parent
 * that runs it as a child died).
 */
import cluster from 'node:cluster';
import pino from 'pino';
import { prometheusContentType } from 'prom-client';
import { GroupMetrics } from './cluster-metrics';
import { answerGathers, groupMetricsFromPrimary, processChannel } from './cluster-metrics-worker';
import { couchAdmin } from '../couch/couch-admin';
import { startHubWork } from './hub-work';
import { metricsUrlOf, serveMetrics } from './metrics-port';
import { DEFAULT_STATIC_DIR, startProxy } from './server';
import { superviseWorkers, type WorkerPool } from './worker-pool';

/** Past the drain bound plus this, the process exits whatever is still running. */
const EXIT_GRACE_MS = 2_000;
/** How long the primary waits for one worker's metrics before leaving it out of a scrape. */
const GATHER_WITHIN_MS = 2_000;
/** How long a worker's `/metrics` waits for the primary's gather (which is bounded itself) before a 503. */
const ASK_PRIMARY_WITHIN_MS = 5_000;

async function runProxy(logger: pino.Logger, drainMs: number): Promise<void> {
  const env = process.env;
  const couchAdminUrl = requiredCouchUrl();
  const channel = cluster.isWorker ? processChannel() : undefined;
  const proxy = await startProxy({
    couchAdminUrl,
    port: Number(env['PORT'] ?? 8080),
    host: env['HOST'] ?? '127.0.0.1',
    staticDir: env['FIELDBOOK_STATIC_DIR'] ?? DEFAULT_STATIC_DIR,
    sessionMaxAgeDays: Number(env['FIELDBOOK_SESSION_DAYS'] ?? 30),
    secureCookies: ['true', '1'].includes(env['FIELDBOOK_SECURE_COOKIES'] ?? ''),
    drainMs,
    logger,
    hubWork: !channel,
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
    setTimeout(() => process.exit(1), drainMs + EXIT_GRACE_MS).unref();
    void proxy.close().then(() => process.exit(0));
  };
  onStopSignal(stop);
}

function requiredCouchUrl(): string {
  const couchAdminUrl = process.env['COUCH_URL'];
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

function main(): Promise<void> {
  const env = process.env;
  const logger = pino({ level: env['LOG_LEVEL'] ?? 'info' }, pino.destination(2));
  const drainMs = Number(env['FIELDBOOK_DRAIN_MS'] ?? 10_000);
  const workers = Number(env['FIELDBOOK_PROXY_WORKERS'] ?? 1);
  if (cluster.isPrimary && Number.isInteger(workers) && workers > 1) return runPrimary(logger, workers, drainMs);
  return runProxy(logger, drainMs);
}

/** The node:cluster primary: the workers, and the one metrics port, which shows them all. */
async function runPrimary(logger: pino.Logger, count: number, drainMs: number): Promise<void> {
  // Started once the metrics port listens (the ready line names it); until then no worker is asked.
  let pool: WorkerPool | undefined = undefined;
  const metrics = new GroupMetrics(() => pool?.listening() ?? [], GATHER_WITHIN_MS);
  // The hub's background work once for the group: the workers would each repeat it.
  const couchAdminUrl = requiredCouchUrl();
  startHubWork({ couch: couchAdmin(couchAdminUrl), couchAdminUrl, logger, registry: metrics.registry });
  cluster.on('message', (worker, message) => metrics.received(worker, message));
  const metricsPort = Number(process.env['FIELDBOOK_METRICS_PORT'] ?? 0);
  const metricsServer = metricsPort > 0 ? await serveMetrics(metricsPort, metrics) : undefined;
  pool = superviseWorkers({
    count,
    logger,
    stopWithinMs: drainMs + EXIT_GRACE_MS,
    onStopSignal,
    metricsUrl: metricsServer && metricsUrlOf(metricsServer),
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
