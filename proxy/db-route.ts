import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { setApiSecurityHeaders } from './api-security-headers';
import type { Authenticator } from './authenticate';
import { refusalOf, sendCouchError, unauthorized } from './couch-error';
import type { CouchForward } from './couch-forward';
import { logFailure } from './failure-log';
import { sendJson } from './json-response';

/** `/db`, `/db/…` and `/db?…`, in any letter case: what an Express mount at "/db" matched. */
const DB_MOUNT = /^\/db(?=[/?]|$)/i;

export function isDbRequest(url: string): boolean {
  return DB_MOUNT.test(url);
}

interface DbRouteDeps {
  couchUrl: string;
  authenticator: Authenticator;
  forwardToCouch: CouchForward;
  /** How long CouchDB may take to answer the server root before the client is answered 504. */
  answerMs: number;
  logger: Logger;
}

/**
 * `/db/*`, the replication hot path: a plain Node handler in front of the Express app.
 * A pull replication is a chain of hundreds of requests, each waiting for the last, so
 * whatever runs per request adds to its duration. Express's router, pino-http, helmet and
 * cookie-parser cost more CPU per request than authenticating, deciding and streaming it;
 * even mounted first in Express, this handler cost about 0.4 ms more per request.
 */
export function dbRoute({ couchUrl, authenticator, forwardToCouch, answerMs, logger }: DbRouteDeps): RequestListener {
  // PouchDB asks the server root (one level above the database) for an id.
  const serverRoot = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!(await authenticator.identify(req))) return sendCouchError(res, unauthorized());
    // No answer is a 503 or 504 (refusalOf).
    const response = await fetch(couchUrl, { signal: AbortSignal.timeout(answerMs) });
    const { uuid } = (await response.json()) as { uuid?: string };
    sendJson(res, 200, { couchdb: 'Welcome', uuid, vendor: { name: 'Fieldbook' } });
  };

  return (req, res) => {
    const originalUrl = req.url!;
    setApiSecurityHeaders(res);
    logFailure(logger, req, res);
    const rest = originalUrl.slice('/db'.length);
    const url = rest.startsWith('/') ? rest : `/${rest}`;
    const isServerRoot = (req.method === 'GET' || req.method === 'HEAD') && (url === '/' || url.startsWith('/?'));
    (isServerRoot ? serverRoot(req, res) : forwardToCouch(req, res, url)).catch((error: unknown) => {
      const refusal = refusalOf(error);
      if (refusal.status >= 500) logger.error({ err: error, url: originalUrl }, 'the proxy failed');
      sendCouchError(res, refusal);
    });
  };
}
