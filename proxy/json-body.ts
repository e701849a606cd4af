import type { IncomingMessage } from 'node:http';
import { badRequest, tooLarge, type CouchError } from './couch-error';

/**
 * Reads a whole JSON request body, up to `limitBytes`. Only for bodies the proxy must
 * check (body-rules.ts); everything else streams. A compressed body is refused: CouchDB
 * would inflate it, and the check must see what CouchDB sees.
 */
export async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<{ raw: Buffer; json: unknown } | CouchError> {
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding !== 'identity') return badRequest('Send this request uncompressed.');
  const chunks: string[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Keep reading past the limit (not storing), so the client gets the 413 rather than a cut connection.
    if (size <= limitBytes) chunks.push(chunk.toString('latin1'));
  }
  if (size > limitBytes) return tooLarge(`The request body is larger than ${limitBytes} bytes.`);
  // Latin-1 keeps every byte as it came, whatever the chunk boundaries cut.
  const raw = Buffer.from(chunks.join(''), 'latin1');
  try {
    return { raw, json: JSON.parse(raw.toString('utf8')) };
  } catch {
    return badRequest('The request body is not valid JSON.');
  }
}
