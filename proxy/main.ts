/**
 * The proxy alone, as production runs it (no bootstrap, no embedded server): several of
 * these may share one CouchDB, since sessions live there.
 *
 * Env: COUCH_URL (CouchDB URL with admin credentials), PORT (default 8080), HOST (default
 * 127.0.0.1), FIELDBOOK_STATIC_DIR (the built PWA), FIELDBOOK_SESSION_DAYS, LOG_LEVEL, and
 * the limits read by server.ts (FIELDBOOK_MAX_FEEDS, FIELDBOOK_METRICS_PORT, FIELDBOOK_DRAIN_MS, ...).
 * Prints one JSON line `{"url", "pid"}` on stdout once it listens. SIGTERM drains and exits
 * within the drain bound.
 */
import pino from 'pino';
import { DEFAULT_STATIC_DIR, startProxy } from './server';

/** Past the drain bound plus this, the process exits whatever is still running. */
const EXIT_GRACE_MS = 2_000;

async function main(): Promise<void> {
  const env = process.env;
  const couchAdminUrl = env['COUCH_URL'];
  if (!couchAdminUrl) throw new Error('COUCH_URL (with admin credentials) is required');
  const logger = pino({ level: env['LOG_LEVEL'] ?? 'info' }, pino.destination(2));
  const drainMs = Number(env['FIELDBOOK_DRAIN_MS'] ?? 10_000);
  const proxy = await startProxy({
    couchAdminUrl,
    port: Number(env['PORT'] ?? 8080),
    host: env['HOST'] ?? '127.0.0.1',
    staticDir: env['FIELDBOOK_STATIC_DIR'] ?? DEFAULT_STATIC_DIR,
    sessionMaxAgeDays: Number(env['FIELDBOOK_SESSION_DAYS'] ?? 30),
    secureCookies: env['FIELDBOOK_SECURE_COOKIES'] === '1',
    drainMs,
    logger,
  });
  process.stdout.write(JSON.stringify({ url: proxy.url, pid: process.pid, metrics: proxy.metricsUrl }) + '\n');
  const stop = (signal: string) => {
    logger.info({ signal }, 'draining');
    setTimeout(() => process.exit(1), drainMs + EXIT_GRACE_MS).unref();
    void proxy.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
