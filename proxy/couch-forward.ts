import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Caller, PolicyDecision } from './access-policy';
import type { Admission } from './admission';
import { compressAnswer } from './answer-compression';
import { couchAuthHeaders, type Authenticator } from './authenticate';
import { bodyLimit, checkBody, localDocRefusal } from './body-rules';
import { sendCouchError, unauthorized, type CouchError } from './couch-error';
import { readJsonBody, sendBodyRefusal } from './json-body';
import { readQuery } from './query-params';
import { liveFeedOf, silenceLimitMs } from './live-feed';
import type { LiveRequests } from './live-requests';
import { PushIdScan, readAsUtf8 } from './push-id-scan';
import type { SessionStore } from './session-store';
import { streamUpstream } from './upstream-stream';

/** Decides one forwarded request: refused, or allowed to this CouchDB path. */
export type ForwardPolicy = (method: string, rawPath: string, query: URLSearchParams, caller: Caller) => PolicyDecision;

/**
 * Refuses or forwards one request; `url` is its path and query relative to CouchDB's root,
 * as the client sent them. Rejects when the caller could not be checked (CouchDB unreachable).
 */
export type CouchForward = (req: IncomingMessage, res: ServerResponse, url: string) => Promise<void>;

/** Where forwarded requests go, shared by every forwarding route of one proxy. */
export interface Upstream {
  couchUrl: string;
  admission: Admission;
  /**
   * Two socket pools, neither capped (Admission bounds them instead): feeds hold a socket
   * for minutes, and one shared pool of 256 let idle longpolls starve every write.
   */
  agents: { feeds: http.Agent; requests: http.Agent };
  /** How long CouchDB may stay silent on an ordinary request. */
  requestSilenceMs: number;
  /** Largest body the proxy reads to check (body-rules.ts): id lists, single documents, a shared database's `_bulk_docs`. */
  maxCheckedBodyBytes: number;
  observer?: ForwardObserver;
}

export interface ForwardObserver {
  feedOpened(): void;
  feedClosed(): void;
  upstreamAnswered(status: number, seconds: number): void;
}

/**
 * How long a pooled socket may sit idle before the proxy closes it: under the 5 s after which
 * Node servers (PouchDB Server among them) close an idle keep-alive connection. A write sent on
 * a socket the server is closing at that moment fails (503) and cannot safely be sent again; with
 * the proxy closing first, that race is gone.
 */
export const idleSocketMs = 4_000;

/**
 * A keep-alive pool whose idle sockets close after `idleSocketMs`. Not the agent's `timeout`
 * option: that also bounds a socket while it connects and serves, where each request's own
 * silence limit (upstream-stream.ts) is the one that should apply.
 */
export class IdleClosingAgent extends http.Agent {
  override keepSocketAlive(socket: Socket): boolean {
    // Node acts on the answer (false destroys the socket); @types/node says void.
    if (!(super.keepSocketAlive(socket) as unknown as boolean)) return false;
    // The agent destroys a free socket when it times out.
    socket.setTimeout(idleSocketMs);
    return true;
  }
}

export function upstreamPools(): Upstream['agents'] {
  return {
    feeds: new IdleClosingAgent({ keepAlive: true, maxFreeSockets: 64 }),
    requests: new IdleClosingAgent({ keepAlive: true, maxFreeSockets: 256 }),
  };
}

interface ForwardDeps {
  upstream: Upstream;
  authenticator: Authenticator;
  sessions: SessionStore;
  liveRequests: LiveRequests;
  logger: Logger;
  policy: ForwardPolicy;
}

/**
 * Authenticate, apply the policy (to the body too where it matters), then stream the
 * request to CouchDB as the caller (their own CouchDB cookie or Basic credentials, never
 * the admin's). Other bodies are never buffered, so multipart attachments and continuous
 * feeds pass through. Works on plain Node requests.
 */
export function couchForward({ upstream, authenticator, sessions, liveRequests, logger, policy }: ForwardDeps): CouchForward {
  const base = new URL(upstream.couchUrl);
  const { admission, agents, observer } = upstream;

  return async (req, res, url) => {
    const identity = await authenticator.identify(req);
    // The client went away while it was checked: 'close' has come and gone, and a place taken now would never be given back.
    if (res.destroyed) return;
    if (!identity) return sendCouchError(res, unauthorized());
    const queryAt = url.indexOf('?');
    const rawPath = queryAt < 0 ? url : url.slice(0, queryAt);
    const rawQuery = queryAt < 0 ? '' : url.slice(queryAt + 1);
    const query = readQuery(rawQuery);
    if (!(query instanceof URLSearchParams)) return sendCouchError(res, query);
    const decision = policy(req.method!, rawPath, query, identity.caller);
    if (!decision.allow) return sendCouchError(res, decision);
    const encoded = encodedBody(req, decision.bodyRule !== undefined || decision.scanIds === true);
    if (encoded) return sendCouchError(res, encoded);

    // Admitted before its body is read: waiting bodies are bounded like everything else.
    const feed = liveFeedOf(decision.targetPath, query);
    const release = admission.admit(feed ? 'feed' : 'request', identity.caller.name);
    if (typeof release !== 'function') return sendCouchError(res, release);
    if (feed) observer?.feedOpened();
    let body: Buffer | undefined;
    res.once('close', () => {
      release();
      // Held until the answer ends: a CouchDB slow to take the body keeps it in memory too.
      if (body) admission.releaseBody(body.length);
      if (feed) observer?.feedClosed();
    });

    if (decision.bodyRule) {
      const read = await readJsonBody(req, bodyLimit(decision.bodyRule, upstream.maxCheckedBodyBytes), admission);
      if (!('raw' in read)) return sendBodyRefusal(res, read);
      // The client went away as its body arrived; 'close' has come and gone.
      if (res.destroyed) return admission.releaseBody(read.raw.length);
      body = read.raw;
      const refusal = checkBody(decision.bodyRule, read.json);
      if (refusal) return sendCouchError(res, refusal);
    }

    // Not a live feed: its heartbeats and changes would wait in the compressor (answer-compression.ts).
    if (!feed) compressAnswer(req, res);
    const exchange = streamUpstream(
      base,
      req,
      res,
      {
        path: decision.targetPath + (rawQuery ? `?${rawQuery}` : ''),
        clientPrefix: clientPrefix(req.url!, url),
        auth: couchAuthHeaders(identity),
        agent: feed ? agents.feeds : agents.requests,
        silenceMs: silenceLimitMs(feed, upstream.requestSilenceMs),
        body,
        bodyCheck: decision.scanIds ? localIdCheck() : undefined,
        bodyPace: admission.bodyPace,
        live: feed !== null,
        endsBetweenLines: feed !== null && feed.kind !== 'longpoll',
      },
      {
        answered: (status, seconds) => observer?.upstreamAnswered(status, seconds),
        cookies(setCookie) {
          const renewed = setCookie.map((cookie) => /^AuthSession=([^;]+)/.exec(cookie)?.[1]).find(Boolean);
          if (identity.kind === 'session' && renewed && renewed !== identity.couchCookie) {
            sessions
              .renewCouchCookie(identity.sessionId, renewed)
              .catch((error) => logger.warn({ err: error }, 'could not store a renewed CouchDB cookie'));
          }
        },
        failed: (error) => logger.warn({ error: error.message, path: decision.targetPath }, 'CouchDB did not answer'),
        withheld: (status, answer) =>
          logger.warn({ status, answer, path: decision.targetPath }, 'CouchDB failed; its answer was not passed on'),
      },
    );
    const sessionId = identity.kind === 'session' ? identity.sessionId : undefined;
    liveRequests.track(identity.caller.name, res, sessionId, feed ? () => exchange.finish() : null);
  };
}

/**
 * The refusal of a request body sent in an encoding the proxy does not pass on. Compressed
 * (415, CouchDB's `bad_content_type`): CouchDB and PouchDB Server inflate a gzip body without
 * bound (1 MB of it, inflated to 1 GiB, made CouchDB allocate 2 GB), and a checked body would be
 * checked as something else than CouchDB reads; no replicator compresses what it sends, nor does
 * PouchDB. A transfer coding besides chunked (501): CouchDB answered `gzip, chunked` at once,
 * leaving the body unread, and the next request on that pooled connection, anyone's, got no answer.
 * A body the proxy `checked` (read, or scanned as it streams) in a charset other than UTF-8 (415):
 * PouchDB Server decodes it in that charset (UTF-7 too), the proxy reads the bytes as UTF-8; in
 * UTF-7 `"+AF8-local/_security"` passed the checks as a plain name and was written as
 * `_local/_security`, which made an inspector admin of her database.
 */
function encodedBody(req: IncomingMessage, checked: boolean): CouchError | null {
  const { 'content-encoding': content, 'transfer-encoding': transfer } = req.headers;
  if (content !== undefined && content.trim().toLowerCase() !== 'identity')
    return { status: 415, error: 'bad_content_type', reason: 'Send the request body uncompressed (no Content-Encoding).' };
  if (transfer !== undefined && transfer.trim().toLowerCase() !== 'chunked')
    return { status: 501, error: 'not_implemented', reason: 'Send the request body with no transfer coding but chunked.' };
  if (checked && !readAsUtf8(req.headers['content-type']))
    return { status: 415, error: 'bad_content_type', reason: 'Send the request body in UTF-8 (no other charset).' };
  return null;
}

/** A push's chunks checked before they go on: a `_local` doc in it is refused as in a checked `_bulk_docs`. */
export function localIdCheck(): (chunk: Buffer) => CouchError | null {
  const scan = new PushIdScan();
  return (chunk) => (scan.write(chunk) ? localDocRefusal : null);
}

/** What the client's URL has in front of `url` ("/db" for the database route). */
function clientPrefix(clientUrl: string, url: string): string {
  return clientUrl.endsWith(url) ? clientUrl.slice(0, clientUrl.length - url.length) : '';
}
