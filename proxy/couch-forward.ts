import http from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { Logger } from 'pino';
import type { Caller, PolicyDecision } from './access-policy';
import { couchAuthHeaders, type Authenticator, type Identity } from './authenticate';
import { sendCouchError, unauthorized } from './couch-error';
import type { LiveRequests } from './live-requests';
import type { SessionStore } from './session-store';

/** Decides one forwarded request: refused, or allowed to this CouchDB path. */
export type ForwardPolicy = (method: string, rawPath: string, query: URLSearchParams, caller: Caller) => PolicyDecision;

interface ForwardDeps {
  couchUrl: string;
  authenticator: Authenticator;
  sessions: SessionStore;
  liveRequests: LiveRequests;
  logger: Logger;
  policy: ForwardPolicy;
}

const identities = new WeakMap<http.IncomingMessage, Identity>();

/**
 * Authenticate, apply the policy, then stream the request to CouchDB as the caller (their
 * own CouchDB cookie or Basic credentials, never the admin's). Bodies are never buffered,
 * so multipart attachments and continuous feeds pass through.
 */
export function couchForward({ couchUrl, authenticator, sessions, liveRequests, logger, policy }: ForwardDeps) {
  const proxy = createProxyMiddleware<Request, Response>({
    target: couchUrl,
    changeOrigin: true,
    xfwd: false,
    agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    proxyTimeout: 0,
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
        if (req.url.includes('/_changes')) proxyReq.removeHeader('accept-encoding');
      },
      proxyRes(proxyRes, req) {
        const identity = identities.get(req)!;
        const renewed = proxyRes.headers['set-cookie']?.map((cookie) => /^AuthSession=([^;]+)/.exec(cookie)?.[1]).find(Boolean);
        delete proxyRes.headers['set-cookie'];
        if (identity.kind === 'session' && renewed && renewed !== identity.couchCookie) {
          sessions.renewCouchCookie(identity.sessionId, renewed).catch((error) => logger.warn({ error }, 'could not store a renewed CouchDB cookie'));
        }
      },
      error(error, _req, res) {
        logger.warn({ error: (error as Error).message }, 'CouchDB did not answer');
        if (res instanceof http.ServerResponse) {
          sendCouchError(res as Response, { status: 503, error: 'service_unavailable', reason: 'The database server is not reachable.' });
        } else {
          res.destroy();
        }
      },
    },
  });

  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const identity = await authenticator.identify(req);
      if (!identity) return sendCouchError(res, unauthorized());
      const [rawPath, rawQuery = ''] = req.url.split('?', 2);
      const decision = policy(req.method, rawPath, new URLSearchParams(rawQuery), identity.caller);
      if (!decision.allow) return sendCouchError(res, decision);
      identities.set(req, identity);
      liveRequests.track(identity.caller.name, res, identity.kind === 'session' ? identity.sessionId : undefined);
      req.url = decision.targetPath + (rawQuery ? `?${rawQuery}` : '');
      await proxy(req, res, next);
    } catch (error) {
      next(error);
    }
  };
}
