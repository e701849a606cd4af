import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { couchSilent, couchUnreachable, sendCouchError } from './couch-error';

export interface UpstreamRequest {
  /** Path and query on CouchDB. */
  path: string;
  /** What the client's URL has in front of CouchDB's path ("/db" for the database route): CouchDB's redirects get it back. */
  clientPrefix: string;
  /** The caller's own CouchDB credentials. */
  auth: Record<string, string>;
  agent: http.Agent;
  /** CouchDB may stay silent this long (before or during its answer) before the request is given up. */
  silenceMs: number;
  /** A body already read (and checked); otherwise the request's body streams through. */
  body?: Buffer;
  /** A live feed: headers go to the client at once, and compression is never asked for. */
  live: boolean;
  /**
   * The answer is a stream of whole lines (a continuous or eventsource feed), so the proxy may
   * end it between two as a complete response when it shuts down (UpstreamExchange.finish).
   */
  endsBetweenLines?: boolean;
}

/** One request on its way through the proxy. */
export interface UpstreamExchange {
  /**
   * Ends it now, for a proxy shutting down. A line-by-line feed whose answer has begun ends as
   * a complete response, and its client asks again from its last sequence at once: cut mid-
   * stream, CouchDB's replicator waited 30 s on the dead stream, crashed the job and came back
   * one to two minutes later. Anything else is cut (a longpoll's JSON cannot be closed).
   */
  finish(): void;
}

export interface UpstreamEvents {
  /** CouchDB's status line arrived, after `seconds`. */
  answered(status: number, seconds: number): void;
  /** CouchDB's `Set-Cookie` (kept by the proxy, never passed on). */
  cookies(setCookie: string[]): void;
  failed(error: Error): void;
}

/**
 * Never forwarded: hop-by-hop, the caller's own credentials for the proxy, CouchDB proxy-auth
 * headers, and forwarding headers, which only a proxy may set: CouchDB writes its `Location`
 * with the host X-Forwarded-Host names, so a client's own sent redirects anywhere.
 */
const DROPPED_REQUEST =
  /^(host|connection|keep-alive|proxy-.*|te|trailer|upgrade|expect|cookie|authorization|x-auth-couchdb-.*|forwarded|x-forwarded-.*|x-real-ip|x-host)$/;
/** Never forwarded with a GET or HEAD: the proxy sends them without a body, so a length would make the server read the next request on that pooled socket as one. */
const BODY_FRAMING = /^(content-length|transfer-encoding)$/;
// The proxy's own Content-Security-Policy stands for Fauxton's pages on every server (CouchDB
// sends a stricter one of its own that blocks Fauxton's data: fonts; PouchDB Server none).
// `location` is rewritten (responseHeaders).
const DROPPED_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'set-cookie', 'content-security-policy', 'location']);

/**
 * Streams one request to CouchDB and its answer back, with plain `node:http`. Every way
 * it can fail ends this request only: CouchDB unreachable (503), silent too long (504, or
 * the response cut if it had started), CouchDB dying mid-answer (the client's connection
 * is cut at once, so a feed's client reconnects instead of waiting forever), or the client
 * going away (the request to CouchDB is ended, freeing its socket). Headers are all set
 * before the request is created: setting them once a pooled socket came free threw
 * ERR_HTTP_HEADERS_SENT outside any handler and ended the process.
 */
export function streamUpstream(
  base: URL,
  req: IncomingMessage,
  res: ServerResponse,
  upstream: UpstreamRequest,
  events: UpstreamEvents,
): UpstreamExchange {
  const started = performance.now();
  const bodiless = req.method === 'GET' || req.method === 'HEAD';
  const headers: OutgoingHttpHeaders = { host: base.host };
  for (const [name, value] of Object.entries(req.headers)) {
    if (!DROPPED_REQUEST.test(name) && !(bodiless && BODY_FRAMING.test(name))) headers[name] = value;
  }
  Object.assign(headers, upstream.auth);
  // Gzip would hold heartbeats and changes back until a block fills.
  if (upstream.live) delete headers['accept-encoding'];
  if (upstream.body) {
    delete headers['transfer-encoding'];
    headers['content-length'] = upstream.body.length;
  }

  // Retried once when a pooled keep-alive socket turns out closed by CouchDB (it may close an
  // idle one just as we reuse it): a GET or HEAD, or a read-only POST whose body we hold.
  const retryable = isReadOnly(req.method ?? '', upstream.path, upstream.body);
  let clientGone = false;
  let finishing = false;
  let toCouch: http.ClientRequest;
  let fromCouch: IncomingMessage | null = null;
  let atLineEnd = true;
  const send = (isRetry: boolean) => {
    toCouch = http.request({
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port,
      method: req.method,
      path: upstream.path,
      headers,
      agent: upstream.agent,
    });
    toCouch.setTimeout(upstream.silenceMs, () => toCouch.destroy(new SilentUpstream()));
    // A change line or a heartbeat is a few bytes: send it now, not when the last one is acknowledged.
    toCouch.setNoDelay(true);
    toCouch.on('error', (error: NodeJS.ErrnoException) => {
      if (clientGone || finishing) return;
      if (retryable && !isRetry && toCouch.reusedSocket && error.code === 'ECONNRESET' && !res.headersSent) return send(true);
      events.failed(error);
      sendCouchError(res, error instanceof SilentUpstream ? couchSilent : couchUnreachable);
    });
    toCouch.on('response', (answer) => {
      fromCouch = answer;
      events.answered(answer.statusCode!, (performance.now() - started) / 1000);
      if (answer.headers['set-cookie']) events.cookies(answer.headers['set-cookie']);
      answer.on('error', () => undefined);
      if (upstream.endsBetweenLines) answer.on('data', (chunk: Buffer) => (atLineEnd = chunk[chunk.length - 1] === 0x0a));
      // `complete` is false when CouchDB's connection closed before the end of its answer.
      answer.on('close', () => !answer.complete && !finishing && res.destroy());
      res.writeHead(answer.statusCode!, responseHeaders(answer.headers, base, upstream.clientPrefix));
      if (upstream.live) res.flushHeaders();
      answer.pipe(res);
    });
    if (upstream.body) toCouch.end(upstream.body);
    else if (bodiless) toCouch.end();
    else req.pipe(toCouch);
  };
  send(false);
  // The client went away (or was cut off by logout): end the request to CouchDB too.
  res.on('close', () => {
    if (res.writableFinished) return;
    clientGone = true;
    toCouch.destroy();
  });
  req.on('error', () => toCouch.destroy());
  return {
    finish() {
      if (!upstream.endsBetweenLines || !fromCouch || !atLineEnd || res.writableEnded) return void res.destroy();
      finishing = true;
      fromCouch.unpipe(res);
      res.end();
      toCouch.destroy();
    },
  };
}

/** CouchDB endpoints that only read, though replicators POST to them (the ids they ask about go in the body). */
const READ_ONLY_POST = /\/(_bulk_get|_revs_diff|_all_docs|_find|_explain|_changes)$/;

function isReadOnly(method: string, path: string, body: Buffer | undefined): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  const queryAt = path.indexOf('?');
  return method === 'POST' && body !== undefined && READ_ONLY_POST.test(queryAt < 0 ? path : path.slice(0, queryAt));
}

function responseHeaders(headers: IncomingHttpHeaders, base: URL, prefix: string): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!DROPPED_RESPONSE.has(name)) kept[name] = value;
  // CouchDB writes redirects with its own address (it saw our Host header): point them back through
  // us. One that names another place, or none, is dropped: it runs in the 'response' listener,
  // where a throw would end the process.
  const location = headers.location && URL.canParse(headers.location, base.href) ? new URL(headers.location, base) : null;
  if (location?.origin === base.origin) kept['location'] = prefix + location.pathname + location.search;
  return kept;
}

class SilentUpstream extends Error {
  constructor() {
    super('the database server sent nothing for too long');
  }
}
