import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants } from 'node:zlib';
import compression from 'compression';

/**
 * Compresses CouchDB's answer for a client that accepts it, when CouchDB did not (CouchDB never
 * does; PouchDB Server does when asked, and that passes through). A tablet's first pull
 * of 10,000 inspections is about 8 MB of JSON in `_bulk_get` pages (406 KB per 500 benchmark
 * records, 30 KB with brotli): seconds saved on a cellular link. The fastest levels: such a page
 * costs about 0.7 ms (brotli 2 or gzip 1); the library's defaults took 1.5–2 times that CPU for
 * at most 10 % less. Text and JSON only (the library's compressible types): photos are JPEG
 * already. Never a live feed, whose heartbeats and changes would wait in the compressor for a
 * block to fill.
 */
const middleware = compression({ level: 1, brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 2 } } });

/** Makes `res` compress what is written to it, as negotiated with `req`'s Accept-Encoding; call before the answer's headers. */
export function compressAnswer(req: IncomingMessage, res: ServerResponse): void {
  middleware(req as Parameters<typeof middleware>[0], res as Parameters<typeof middleware>[1], () => undefined);
}
