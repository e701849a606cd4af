import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { couchSilent, couchUnreachable, sendCouchError, type CouchError } from './couch-error';
import { sendBodyRefusal, watchBodyPace, type BodyPace } from './json-body';

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
  /**
   * Checks each chunk of a streamed body before it goes on. Refused, neither that chunk nor any after
   * it reaches CouchDB, the request to it is destroyed, and the client gets the refusal.
   */
  bodyCheck?: (chunk: Buffer) => CouchError | null;
  /** How fast a streamed body must arrive (json-body.ts): slower, the request is ended and answered 408. */
  bodyPace?: BodyPace;
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
  /** CouchDB's 5xx answer, which was not CouchDB's JSON error and so was not passed on (relayFailure). */
  withheld(status: number, answer: string): void;
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
    // The server reads the bytes as the proxy checked them: JSON in UTF-8, whatever the client named.
    headers['content-type'] = 'application/json';
  }

  // Retried once when a pooled keep-alive socket turns out closed by CouchDB (it may close an
  // idle one just as we reuse it): a GET or HEAD, or a read-only POST whose body we hold.
  const retryable = isReadOnly(req.method ?? '', upstream.path, upstream.body);
  let clientGone = false;
  let finishing = false;
  let toCouch: http.ClientRequest;
  let fromCouch: IncomingMessage | null = null;
  let atLineEnd = true;
  let stopPace: (() => void) | undefined;
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
      if (error instanceof RefusedBody) return sendBodyRefusal(res, error.refusal);
      if (retryable && !isRetry && toCouch.reusedSocket && error.code === 'ECONNRESET' && !res.headersSent) return send(true);
      events.failed(error);
      sendCouchError(res, error instanceof SilentUpstream ? couchSilent : couchUnreachable);
    });
    toCouch.on('response', (answer) => {
      fromCouch = answer;
      events.answered(answer.statusCode!, (performance.now() - started) / 1000);
      if (answer.headers['set-cookie']) events.cookies(answer.headers['set-cookie']);
      answer.on('error', () => undefined);
      // `complete` is false when CouchDB's connection closed before the end of its answer.
      answer.on('close', () => !answer.complete && !finishing && res.destroy());
      const kept = responseHeaders(answer.headers, base, upstream.clientPrefix);
      if (answer.statusCode! >= 500 && req.method !== 'HEAD') return relayFailure(answer, res, kept, events);
      if (upstream.endsBetweenLines) answer.on('data', (chunk: Buffer) => (atLineEnd = chunk[chunk.length - 1] === 0x0a));
      res.writeHead(answer.statusCode!, kept);
      if (upstream.live) res.flushHeaders();
      answer.pipe(res);
    });
    if (upstream.body) toCouch.end(upstream.body);
    else if (bodiless) toCouch.end();
    else {
      const refuse = (refusal: CouchError) => toCouch.destroy(new RefusedBody(refusal));
      if (upstream.bodyCheck) pipeChecked(req, toCouch, upstream.bodyCheck, refuse);
      else req.pipe(toCouch);
      if (upstream.bodyPace) stopPace = watchBodyPace(req, upstream.bodyPace, refuse);
    }
  };
  send(false);
  // The client went away (or was cut off by logout): end the request to CouchDB too.
  res.on('close', () => {
    stopPace?.();
    if (res.writableFinished) return;
    clientGone = true;
    toCouch.destroy();
  });
  req.on('error', () => toCouch.destroy());
  return {
    finish() {
      if (!upstream.endsBetweenLines || !fromCouch || !res.headersSent || !atLineEnd || res.writableEnded) return void res.destroy();
      finishing = true;
      fromCouch.unpipe(res);
      res.end();
      toCouch.destroy();
    },
  };
}

/**
 * `req.pipe(toCouch)`, each chunk checked before it is written. A refused chunk and the rest stay
 * here: CouchDB and PouchDB Server read a whole `_bulk_docs` body before writing any of it, so the
 * request cut short (`refuse` destroys it) writes nothing. The rest of the body is read and dropped,
 * so the client hears the refusal on a connection it can go on using.
 */
function pipeChecked(
  req: IncomingMessage,
  toCouch: http.ClientRequest,
  check: (chunk: Buffer) => CouchError | null,
  refuse: (refusal: CouchError) => void,
): void {
  const resume = () => req.resume();
  const end = () => toCouch.end();
  const stop = () => {
    req.off('data', pass).off('end', end);
    toCouch.off('drain', resume).off('close', stop);
  };
  function pass(chunk: Buffer) {
    const refusal = check(chunk);
    if (!refusal) {
      if (!toCouch.write(chunk)) req.pause();
      return;
    }
    stop();
    refuse(refusal);
    req.resume();
  }
  req.on('data', pass).once('end', end);
  // Gone (failed, or answered): written no more, as `pipe` does.
  toCouch.on('drain', resume).once('close', stop);
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

/** The most of a 5xx answer read to check it (CouchDB's are a line of JSON), and logged when withheld. */
const MAX_FAILURE_BYTES = 16 * 1024;
const MAX_LOGGED_BYTES = 4 * 1024;
/** A name CouchDB gives an error (`not_found`, `unknown_error`, `case_clause`). */
const ERROR_NAME = /^[\w.-]{1,64}$/;
/** Frames of a stack trace: JavaScript's (`    at f (/srv/…/index.js:101)`), or Erlang's (`{file,"src/chttpd_db.erl"},{line,1428}`). */
const STACK_TRACE = /\n\s*at |\{file,"|\{line,\d+\}/;
const WITHHELD_REASON = 'The database server failed on this request; see the proxy log.';

/**
 * A 5xx answer passes on only as CouchDB's own JSON error, `{error, reason}` with no stack trace
 * in its reason. Anything else is answered as a CouchDB error of the same status without the
 * server's internals, and the original goes to `events.withheld`: PouchDB Server answered with
 * Express's HTML error page (a stack trace with the server's paths), CouchDB with an Erlang
 * stack for a malformed multipart PUT. Only failures are read whole: other answers stream.
 */
function relayFailure(answer: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders, events: UpstreamEvents): void {
  const status = answer.statusCode!;
  const chunks: Uint8Array[] = [];
  let size = 0;
  answer.on('data', (chunk: Uint8Array) => {
    size += chunk.length;
    if (size <= MAX_FAILURE_BYTES) chunks.push(chunk);
  });
  answer.on('end', () => {
    const body = Buffer.concat(chunks);
    const withheld = unfitToPass(status, size <= MAX_FAILURE_BYTES ? body.toString('utf8') : null);
    if (!withheld) return void res.writeHead(status, headers).end(body);
    events.withheld(status, body.toString('utf8', 0, MAX_LOGGED_BYTES));
    sendCouchError(res, withheld);
  });
}

/** Null for CouchDB's own JSON error, fit to pass on; otherwise the error to answer instead. `text` is null when too long to be one. */
function unfitToPass(status: number, text: string | null): CouchError | null {
  let answer: unknown = null;
  try {
    answer = JSON.parse(text ?? '');
  } catch {
    // Not JSON: an error page, or cut short.
  }
  const { error, reason } = (answer ?? {}) as { error?: unknown; reason?: unknown };
  const named = typeof error === 'string' && ERROR_NAME.test(error);
  if (named && typeof reason === 'string' && !STACK_TRACE.test(reason)) return null;
  return { status, error: named ? error : 'unknown_error', reason: WITHHELD_REASON };
}

/** A streamed body refused as it arrived (too slow, watchBodyPace; or by `bodyCheck`): the request to CouchDB ends, and the client hears why. */
class RefusedBody extends Error {
  constructor(readonly refusal: CouchError) {
    super(refusal.reason);
  }
}

class SilentUpstream extends Error {
  constructor() {
    super('the database server sent nothing for too long');
  }
}
