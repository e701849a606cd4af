import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { adminRoutes } from './admin-routes';
import { Authenticator } from './authenticate';
import { couchForward } from './couch-forward';
import { notFound, sendCouchError } from './couch-error';
import { databasePolicy } from './db-grants';
import { fauxtonPolicy, fauxtonTraffic } from './fauxton-access';
import { health } from './health';
import { LiveRequests } from './live-requests';
import { securityHeaders } from './security-headers';
import { sessionRoutes } from './session-routes';
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
}

export interface ProxyApp {
  app: express.Express;
  /** A user's login changed (disabled, removed, new roles or password): end their sessions and open feeds now. */
  cutOffUser(name: string): Promise<void>;
}

export function createProxyApp(options: ProxyAppOptions): ProxyApp {
  const { couchUrl, sessions, logger } = options;
  const authenticator = new Authenticator(couchUrl, sessions);
  const liveRequests = new LiveRequests();
  const forward = { couchUrl, authenticator, sessions, liveRequests, logger };
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(
    pinoHttp({
      logger,
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      // Continuous feeds would log only when they end; log them as they start instead.
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug'),
    }),
  );
  app.use(securityHeaders());
  app.use(cookieParser());
  // Before the app's own routes: Fauxton's calls to CouchDB may have any path.
  app.use(fauxtonTraffic(authenticator, couchForward({ ...forward, policy: fauxtonPolicy })));

  app.get('/health', health(couchUrl));
  app.use(
    '/api/session',
    sessionRoutes({ couchUrl, sessions, authenticator, liveRequests, maxAgeMs: options.sessionMaxAgeMs, secureCookies: options.secureCookies, logger }),
  );
  app.use('/api/admin', adminRoutes({ couchUrl, authenticator }));
  app.use('/api', (_req: Request, res: Response) => sendCouchError(res, notFound()));
  app.get(['/db', '/db/'], async (req: Request, res: Response) => {
    // PouchDB asks the server root (one level above the database) for an id.
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, { status: 401, error: 'unauthorized', reason: 'You are not logged in.' });
    const root = (await (await fetch(couchUrl)).json()) as { uuid?: string };
    res.json({ couchdb: 'Welcome', uuid: root.uuid, vendor: { name: 'Fieldbook' } });
  });
  app.use('/db', couchForward({ ...forward, policy: databasePolicy }));
  app.use(staticPwa(options.staticDir));
  app.use((_req: Request, res: Response) => sendCouchError(res, notFound()));
  app.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    req.log?.error({ error }, 'request failed');
    sendCouchError(res, { status: 500, error: 'internal_server_error', reason: 'The proxy failed; see its log.' });
  });

  return {
    app,
    async cutOffUser(name: string) {
      // Sessions first, so the client's reconnect after the cut is already refused.
      authenticator.forgetBasic(name);
      await sessions.revokeUser(name);
      liveRequests.end(name);
    },
  };
}
