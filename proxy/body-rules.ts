import { badRequest, forbidden, type CouchError } from './couch-error';

/**
 * What CouchDB would do with a request's body, for the endpoints where the body, not the
 * path, decides what gets read or written. Checked before the body goes on, so a rule
 * holds whatever the body says, and a malformed body is a 400 here rather than a 500 there.
 * `{ put: id }` is a document's PUT to the path naming `id`; `{ checkpoint: id }` a replication
 * checkpoint's (`_local/…`).
 */
export type BodyRule =
  'bulk_get' | 'revs_diff' | 'query' | 'keys' | 'all_docs' | 'changes' | 'doc' | 'bulk_docs' | { put: string } | { checkpoint: string };

/**
 * The largest replication checkpoint (`{ checkpoint: id }`, a `_local` PUT) the proxy passes.
 * CouchDB's replicator keeps 50 history entries, a few KB each with a cluster's long sequences;
 * PouchDB's keeps 5. Read-only callers write checkpoints too (on a partner's shared database),
 * so without a bound of their own they could leave 16 MB documents there (`maxCheckedBodyBytes`).
 */
export const CHECKPOINT_MAX_BYTES = 1024 * 1024;

/** How much of a body under `rule` the proxy reads: `checkedMax` but for checkpoints. */
export function bodyLimit(rule: BodyRule, checkedMax: number): number {
  return typeof rule === 'object' && 'checkpoint' in rule ? Math.min(CHECKPOINT_MAX_BYTES, checkedMax) : checkedMax;
}

/**
 * `_local` docs are reached by their path only, where access-policy.ts keeps the server's own
 * (`_local/fieldbook-…`) from callers. Named in a body, CouchDB wrote them (`_bulk_docs`,
 * `POST /db`) and read them (`_all_docs` with `keys`), and PouchDB Server read them (`_bulk_get`).
 * Replicators write their checkpoints by path (PUT), and read documents only.
 */
const LOCAL_PREFIX = '_local/';
const LOCAL_REASON = '_local documents are read and written by their path only.';
/** Its refusal, also of a tablet's push that streams unread (push-id-scan.ts finds the `_id`s). */
export const localDocRefusal: CouchError = forbidden(LOCAL_REASON);

export function checkBody(rule: BodyRule, body: unknown): CouchError | null {
  if (!isObject(body)) return badRequest('Send a JSON object.');
  if (typeof rule === 'object') return putRefusal(body, 'put' in rule ? rule.put : rule.checkpoint);
  switch (rule) {
    case 'bulk_get': {
      const { docs } = body;
      // Not empty: PouchDB Server never answers that one (CouchDB answers no results).
      const valid =
        Array.isArray(docs) &&
        docs.length > 0 &&
        docs.every((doc) => isObject(doc) && isNonEmptyString(doc['id']) && optional(doc['rev'], isNonEmptyString));
      return valid ? localRefusal(docs.map(({ id }) => id)) : badRequest('"docs" must be a non-empty array of {"id", "rev"?}.');
    }
    case 'revs_diff':
      return Object.values(body).every((revs) => Array.isArray(revs) && revs.every(isNonEmptyString))
        ? null
        : badRequest('Send {"<doc id>": ["<rev>", ...]}.');
    case 'query':
      return isObject(body['selector']) ? null : badRequest('"selector" must be a JSON object.');
    case 'keys':
      return optional(body['keys'], Array.isArray) ? null : badRequest('"keys" must be an array.');
    case 'all_docs':
      return body['keys'] === undefined ? null : idListRefusal('keys', body['keys']);
    case 'changes':
      if (!optional(body['selector'], isObject)) return badRequest('"selector" must be a JSON object.');
      return body['doc_ids'] === undefined ? null : idListRefusal('doc_ids', body['doc_ids']);
    case 'doc':
      return newDocRefusal(body);
    case 'bulk_docs': {
      const { docs } = body;
      // CouchDB fails with a 500 on any other `new_edits`, PouchDB Server on `docs` not an array of objects.
      if (!optional(body['new_edits'], (value) => typeof value === 'boolean')) return badRequest('"new_edits" must be true or false.');
      if (!Array.isArray(docs)) return badRequest('"docs" must be an array of documents.');
      for (const doc of docs) {
        const refusal = newDocRefusal(doc);
        if (refusal) return refusal;
      }
      return null;
    }
  }
}

/**
 * A list of document ids named `name`, or its refusal: malformed (400), or naming a `_local`
 * doc (403). query-params.ts checks the same lists in a query.
 */
export function idListRefusal(name: string, ids: unknown): CouchError | null {
  return Array.isArray(ids) && ids.every(isNonEmptyString) ? localRefusal(ids) : badRequest(`"${name}" must be an array of document ids.`);
}

function localRefusal(ids: readonly string[]): CouchError | null {
  return ids.some((id) => id.startsWith(LOCAL_PREFIX)) ? localDocRefusal : null;
}

/**
 * A document written by `POST /db` or in `_bulk_docs`. CouchDB answers a 400 for an `_id` that is
 * not a string; PouchDB Server fails (500) in the design doc's validation.
 */
function newDocRefusal(doc: unknown): CouchError | null {
  if (!isObject(doc)) return badRequest('Each document must be a JSON object.');
  const id = doc['_id'];
  if (id === undefined) return null;
  return isNonEmptyString(id) ? localRefusal([id]) : badRequest('"_id" must be a non-empty string.');
}

/** A PUT names its document twice: CouchDB writes the path's, PouchDB Server the body's `_id`, so they must agree. */
function putRefusal(doc: Record<string, unknown>, id: string): CouchError | null {
  return optional(doc['_id'], (bodyId) => bodyId === id) ? null : badRequest('The body\'s "_id" must be the one in the path.');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function optional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || check(value);
}
