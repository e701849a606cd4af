import { Database } from '../core/pouchdb';

/** Bytes received so far and, when the server says how many are coming (Content-Length), the total. */
export interface DownloadProgress {
  loaded: number;
  total: number | null;
}

export type ProgressListener = (progress: DownloadProgress) => void;

/** What PouchDB's http adapter has besides PouchDB's API: a fetch of a path of its database, with its credentials. */
interface HttpDatabase {
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * An attachment of a server database's document, read as it streams in so that a viewer can say
 * how much of a full-size photo has come (PouchDB's `getAttachment` answers only at the end, and
 * a `get` with attachments inline carries them as base64, a third larger). A database that is not
 * reached over HTTP (a local stand-in) answers whole, with no progress to report.
 *
 * Rejects as PouchDB does: an error with the server's `status`, `error` and `reason`.
 */
export async function downloadAttachment(
  db: Database,
  docId: string,
  name: string,
  options: { rev?: string; onProgress?: ProgressListener } = {},
): Promise<Blob> {
  const http = db as unknown as Partial<HttpDatabase>;
  if (typeof http.fetch !== 'function') return (await db.getAttachment(docId, name, options.rev ? { rev: options.rev } : {})) as Blob;
  const query = options.rev ? `?rev=${encodeURIComponent(options.rev)}` : '';
  const response = await http.fetch(`${encodeURIComponent(docId)}/${encodeURIComponent(name)}${query}`, { method: 'GET' });
  if (!response.ok) throw await responseError(response);
  return readWithProgress(response, options.onProgress);
}

/** The body of `response` as a Blob of its content type, reporting each chunk that arrives. */
export async function readWithProgress(response: Response, onProgress?: ProgressListener): Promise<Blob> {
  const type = response.headers.get('content-type') ?? '';
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  if (!response.body || !onProgress) return new Blob([await response.arrayBuffer()], { type });
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress({ loaded, total });
  }
  return new Blob(chunks as BlobPart[], { type });
}

async function responseError(response: Response): Promise<Error> {
  const body = (await response.json().catch(() => ({}))) as { error?: string; reason?: string };
  return Object.assign(new Error(body.reason ?? response.statusText), {
    status: response.status,
    name: body.error ?? 'unknown_error',
    error: body.error,
    reason: body.reason,
  });
}
