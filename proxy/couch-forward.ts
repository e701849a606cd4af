import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { createProxyMiddleware, debugProxyErrorsPlugin, proxyEventsPlugin } from 'http-proxy-middleware';
import type { Logger } from 'pino';
import type { Caller, PolicyDecision } from './access-policy';
import { couchAuthHeaders, type Authenticator, type Identity } from './authenticate';
import { couchUnreachable, sendCouchError, unauthorized } from './couch-error';
import type { LiveRequests } from './live-requests';
import type { SessionStore } from './session-store';

/** Decides one forwarded request: refused, or allowed to this CouchDB path. */
export type ForwardPolicy = (method: string, rawPath: string, query: URLSearchParams, caller: Caller) => PolicyDecision;

/**
 * Refuses or forwards one request; `url` is its path and query relative to CouchDB's root,
 * as the client sent them. Rejects when the caller could not be checked (CouchDB unreachable).
 */
export type CouchForward = (req: IncomingMessage, res: ServerResponse, url: string) => Promise<void>;

interface ForwardDeps {
  couchUrl: string;
  authenticator: Authenticator;
  sessions: SessionStore;
  liveRequests: LiveRequests;
  logger: Logger;
  policy: ForwardPolicy;
}

const identities = new WeakMap<IncomingMessage, Identity>();

/**
 * Authenticate, apply the policy, then stream the request to CouchDB as the caller (their
 * own CouchDB cookie or Basic credentials, never the admin's). Bodies are never buffered,
 * so multipart attachments and continuous feeds pass through. Works on plain Node requests.
 */
export function couchForward({ couchUrl, authenticator, sessions, liveRequests, logger, policy }: ForwardDeps): CouchForward {
  const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: couchUrl,
    changeOrigin: true,
    xfwd: false,
    agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    proxyTimeout: 0,
    // Without the default logger plugin, which formats a URL for every response to log nothing.
    // Kept: socket error handling and ending CouchDB's response when the client's closes
    // (a continuous feed cut off by LiveRequests).
    ejectPlugins: true,
    plugins: [debugProxyErrorsPlugin, proxyEventsPlugin],
    on: {
      proxyReq(proxyReq, req) {
        const identity = identities.get(req)!;
        proxyReq.removeHeader('cookie');
        proxyReq.removeHeader('authorization');
        for (const header of Object.keys(req.headers)) {
          if (header.startsWith('x-auth-couchdb-')) proxyReq.removeHeader(header);
        }
        for (const [header, value] of Object.entries(couchAuthHeaders(identity))) proxyReq.setHeader(header, value);
        // PouchDB Server gzips feeds when asked, and gzip holds heartbeats and changes back.
        if (req.url!.includes('/_changes')) proxyReq.removeHeader('accept-encoding');
      },
      proxyRes(proxyRes, req) {
        const identity = identities.get(req)!;
        const renewed = proxyRes.headers['set-cookie']?.map((cookie) => /^AuthSession=([^;]+)/.exec(cookie)?.[1]).find(Boolean);
        delete proxyRes.headers['set-cookie'];
        if (identity.kind === 'session' && renewed && renewed !== identity.couchCookie) {
          sessions.renewCouchCookie(identity.sessionId, renewed).catch((error) => logger.warn({ err: error }, 'could not store a renewed CouchDB cookie'));
        }
      },
      error(error, _req, res) {
        logger.warn({ error: (error as Error).message }, 'CouchDB did not answer');
        if (res instanceof http.ServerResponse) sendCouchError(res, couchUnreachable);
        else res.destroy();
      },
    },
  });

  return async (req, res, url) => {
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    const queryAt = url.indexOf('?');
    const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const decision = policy(req.method!, rawPath, new URLSearchParams(rawQuery), identity.caller);
    if (!decision.allow) return sendCouchError(res, decision);
    identities.set(req, identity);
    liveRequests.track(identity.caller.name, res, identity.kind === 'session' ? identity.sessionId : undefined);
    req.url = decision.targetPath + (rawQuery ? `?${rawQuery}` : '');
    await proxy(req, res);
  };
}
