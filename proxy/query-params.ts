import { badRequest, type CouchError } from './couch-error';

/**
 * A query string as every server reads it alike, or the refusal of one they read differently.
 * CouchDB (MochiWeb) also splits on ";" and takes a name's last value, PouchDB Server its first,
 * URLSearchParams splits on "&" only and `get` gives the first: `filter=_doc_ids&filter=x` or
 * `x=1;feed=continuous` passed the proxy's checks as one thing and ran on CouchDB as another.
 * No CouchDB client needs either (PouchDB encodes ";" in values).
 */
export function readQuery(rawQuery: string): URLSearchParams | CouchError {
  if (rawQuery.includes(';')) return badRequest('Separate query parameters with "&" and percent-encode ";" in values.');
  const query = new URLSearchParams(rawQuery);
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (seen.has(name)) return badRequest(`The query names "${name}" more than once.`);
    seen.add(name);
  }
  return query;
}
