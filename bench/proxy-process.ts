/**
 * The Fieldbook proxy alone in its own process, for bench/proxy-overhead.ts: in production
 * the proxy does not share an event loop with the replicating client, so the benchmark
 * should not make it do so either.
 *
 * Env: COUCH_URL (admin URL), PORT (0 = any free port), LOG_LEVEL (default "info", as in
 * production). Prints one JSON line `{"url": ...}` on stdout once it listens.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { startProxy } from '../proxy/server';

async function main(): Promise<void> {
  const couchAdminUrl = process.env['COUCH_URL'];
  if (!couchAdminUrl) throw new Error('COUCH_URL is required');
  // Logs go to stderr so stdout carries only the ready line.
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'info' }, pino.destination(2));
  const proxy = await startProxy({
    couchAdminUrl,
    port: Number(process.env['PORT'] ?? 0),
    logger,
    staticDir: join(tmpdir(), 'fieldbook-bench-no-app'),
  });
  process.stdout.write(JSON.stringify({ url: proxy.url, pid: process.pid }) + '\n');
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // The parent died without telling us: do not linger.
  process.stdin.on('end', stop);
  process.stdin.resume();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
