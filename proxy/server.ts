import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { couchAdmin, splitCredentials } from '../couch/couch-admin';
import { listUsers } from '../couch/user-docs';
import { createProxyApp } from './app';
import { SessionStore } from './session-store';
import { watchUsers } from './user-watch';

export interface ProxyOptions {
  /**
   * CouchDB URL with admin credentials; the proxy uses them only for its session store, to
   * watch `_users` and to list user names for supervisors.
   */
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
  const admin = couchAdmin(options.couchAdminUrl);
  const { handle, cutOffUser } = createProxyApp({
    couchUrl: splitCredentials(options.couchAdminUrl).url,
    sessions: new SessionStore(admin, sessionMaxAgeMs),
    listUsers: () => listUsers(admin),
    sessionMaxAgeMs,
    secureCookies: options.secureCookies ?? false,
    staticDir: options.staticDir ?? DEFAULT_STATIC_DIR,
    logger,
  });
  const server = createServer(handle).listen(options.port, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const userWatch = watchUsers(
    options.couchAdminUrl,
    (name) => void cutOffUser(name).catch((error: Error) => logger.error({ error: error.message, name }, 'could not cut off a changed user')),
    logger,
  );
  // Continuous `_changes` feeds stay open for hours; heartbeats keep them alive.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  const address = server.address() as { port: number };
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    server,
    async close() {
      userWatch.stop();
      // Stop accepting first, so clients see a refused connection rather than a cut one.
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
