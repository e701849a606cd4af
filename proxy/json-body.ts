import type { IncomingMessage } from 'node:http';
import { badRequest, overloaded, requestTimeout, tooLarge, type CouchError } from './couch-error';

/** The memory every request's body shares (admission.ts), and how long a client may pause one. */
export interface BodyMemory {
  holdBody(bytes: number): boolean;
  releaseBody(bytes: number): void;
  readonly bodySilenceMs: number;
}

/** Seconds a client waits before sending again when bodies fill the proxy's memory. */
const FULL_RETRY_S = 2;

/**
 * Reads a whole JSON request body, up to `limitBytes`. Only for bodies the proxy must
 * check (body-rules.ts); everything else streams. A compressed body is refused: CouchDB
 * would inflate it, and the check must see what CouchDB sees. The bytes it holds count in
 * `memory`: read, `raw.length` of them are the caller's to release; refused, none are held.
 */
export function readJsonBody(
  req: IncomingMessage,
  limitBytes: number,
  memory: BodyMemory,
): Promise<{ raw: Buffer; json: unknown } | CouchError> {
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') return Promise.resolve(badRequest('Send this request uncompressed.'));
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let held = 0;
    let refusal: CouchError | null = null;
    let settled = false;
    const settle = (result: { raw: Buffer; json: unknown } | CouchError) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      if (!('raw' in result)) memory.releaseBody(held);
      chunks.length = 0;
      resolve(result);
    };
    // A body that stops arriving would hold its place and its bytes for as long as the client likes.
    const silence = setTimeout(
      () => settle(requestTimeout(`The request body stopped arriving for ${memory.bodySilenceMs} ms.`)),
      memory.bodySilenceMs,
    );
    req.on('data', (chunk: Uint8Array) => {
      if (settled) return;
      silence.refresh();
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
