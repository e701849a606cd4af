import { once } from 'node:events';
import type { Server } from 'node:http';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { couchAdmin, splitCredentials } from '../couch/couch-admin';
import { createProxyApp } from './app';
import { SessionStore } from './session-store';

export interface ProxyOptions {
  /** CouchDB URL with admin credentials; the proxy uses them only for its session store. */
  couchAdminUrl: string;
  port: number;
  host?: string;
  sessionMaxAgeDays?: number;
  staticDir?: string;
  secureCookies?: boolean;
  logger?: Logger;
}

export interface RunningProxy {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export const DEFAULT_STATIC_DIR = join(__dirname, '..', 'dist', 'fieldbook', 'browser');

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const logger = options.logger ?? pino({ level: process.env['LOG_LEVEL'] ?? 'info' });
  const sessionMaxAgeMs = (options.sessionMaxAgeDays ?? 30) * 24 * 3600_000;
  const app = createProxyApp({
    couchUrl: splitCredentials(options.couchAdminUrl).url,
    sessions: new SessionStore(couchAdmin(options.couchAdminUrl), sessionMaxAgeMs),
    sessionMaxAgeMs,
    secureCookies: options.secureCookies ?? false,
    staticDir: options.staticDir ?? DEFAULT_STATIC_DIR,
    logger,
  });
  const server = app.listen(options.port, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  // Continuous `_changes` feeds stay open for hours; heartbeats keep them alive.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    server,
    async close() {
      // Stop accepting first, so clients see a refused connection rather than a cut one.
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
