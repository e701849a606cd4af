import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, overloaded, requestTimeout, sendCouchError, tooLarge, type CouchError } from './couch-error';

/** How fast a client must send a request's body: at least `minBytesPerS` a second, over every `windowMs`. */
export interface BodyPace {
  windowMs: number;
  minBytesPerS: number;
}

/** The memory every request's body shares (admission.ts), and the pace a client must keep sending one. */
export interface BodyMemory {
  holdBody(bytes: number): boolean;
  releaseBody(bytes: number): void;
  readonly bodyPace: BodyPace;
}

/** Seconds a client waits before sending again when bodies fill the proxy's memory. */
const FULL_RETRY_S = 2;

/**
 * Reads a whole JSON request body, up to `limitBytes`. Only for bodies the proxy must
 * check (body-rules.ts); everything else streams. The bytes it holds count in `memory`:
 * read, `raw.length` of them are the caller's to release; refused, none are held.
 */
export function readJsonBody(
  req: IncomingMessage,
  limitBytes: number,
  memory: BodyMemory,
): Promise<{ raw: Buffer; json: unknown } | CouchError> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let held = 0;
    let refusal: CouchError | null = null;
    let settled = false;
    const settle = (result: { raw: Buffer; json: unknown } | CouchError) => {
      if (settled) return;
      settled = true;
      stopWatching();
      if (!('raw' in result)) memory.releaseBody(held);
      chunks.length = 0;
      resolve(result);
    };
    // A body that stops arriving, or trickles in, would hold its place and its bytes for as long as the client likes.
    const stopWatching = watchBodyPace(req, memory.bodyPace, settle);
    req.on('data', (chunk: Uint8Array) => {
      if (settled) return;
      size += chunk.length;
      if (refusal) return;
      if (size > limitBytes) refusal = tooLarge(`The request body is larger than ${limitBytes} bytes.`);
      else if (!memory.holdBody(chunk.length))
        refusal = overloaded('The proxy holds as many request bodies as it can; try again shortly.', FULL_RETRY_S);
      if (!refusal) {
        held += chunk.length;
        chunks.push(chunk);
        return;
      }
      // Keep reading (not storing), so the client gets the refusal rather than a cut connection.
      memory.releaseBody(held);
      held = 0;
      chunks.length = 0;
    });
    req.on('end', () => {
      if (refusal) return settle(refusal);
      const raw = Buffer.concat(chunks, size);
      try {
        settle({ raw, json: JSON.parse(raw.toString('utf8')) });
      } catch {
        settle(badRequest('The request body is not valid JSON.'));
      }
    });
    // The client went away mid-body: nobody is left to answer, but its bytes must be given back.
    req.on('close', () => settle(badRequest('The request body did not arrive whole.')));
  });
}

/**
 * Calls `slow` once, with a 408, when a request's body brings less than `pace` asks over a
 * window. A client sending a byte every few seconds held its place (admission.ts) for as long
 * as it liked: a silence limit renewed by every byte never ended it, and a streamed body had
 * no limit at all. Time in which the proxy itself stopped reading (a streamed body waiting for
 * CouchDB to take what it has) is not asked of the client. Returns the stop; it stops by
 * itself once the body has arrived or the request is gone.
 */
export function watchBodyPace(req: IncomingMessage, pace: BodyPace, slow: (refusal: CouchError) => void): () => void {
  let bytes = 0;
  let windowStart = performance.now();
  let pausedMs = 0;
  let pausedAt: number | null = null;
  const counted = (chunk: Uint8Array) => (bytes += chunk.length);
  const paused = () => (pausedAt ??= performance.now());
  const resumed = () => {
    if (pausedAt !== null) pausedMs += performance.now() - pausedAt;
    pausedAt = null;
  };
  const check = setInterval(() => {
    const now = performance.now();
    const readingMs = now - windowStart - pausedMs - (pausedAt === null ? 0 : now - pausedAt);
    // Mostly spent waiting for CouchDB: judged once the proxy has been reading for half a window.
    if (readingMs < pace.windowMs / 2) return;
    if (bytes < (readingMs * pace.minBytesPerS) / 1000) {
      stop();
      return slow(
        requestTimeout(
          bytes === 0
            ? `The request body stopped arriving for ${pace.windowMs} ms.`
            : `The request body arrived slower than ${pace.minBytesPerS} bytes a second for ${pace.windowMs} ms.`,
        ),
      );
    }
    bytes = 0;
    pausedMs = 0;
    windowStart = now;
    if (pausedAt !== null) pausedAt = now;
  }, pace.windowMs);
  const stop = () => {
    clearInterval(check);
    req.off('data', counted).off('pause', paused).off('resume', resumed).off('end', stop).off('close', stop);
  };
  req.on('data', counted).on('pause', paused).on('resume', resumed).once('end', stop).once('close', stop);
  return stop;
}

/** Answers a body refused as it arrived; one too slow is cut after the answer, rather than left holding a half-sent body. */
export function sendBodyRefusal(res: ServerResponse, refusal: CouchError): void {
  if (refusal.status === 408 && !res.headersSent) res.setHeader('Connection', 'close');
  sendCouchError(res, refusal);
}
