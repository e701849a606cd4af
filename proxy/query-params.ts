import { idListRefusal } from './body-rules';
import { badRequest, type CouchError } from './couch-error';

/**
 * A query string as every server reads it alike, or the refusal of one they read differently.
 * CouchDB (MochiWeb) also splits on ";" and takes a name's last value, PouchDB Server its first,
 * URLSearchParams splits on "&" only and `get` gives the first: `filter=_doc_ids&filter=x` or
 * `x=1;feed=continuous` passed the proxy's checks as one thing and ran on CouchDB as another.
 * Names are read differently too: CouchDB reads every `_changes` parameter in any letter case
 * (`LIMIT=abc` answered 500, `FILTER=<ddoc>/<filter>` ran a design-doc filter, `TIMEOUT=-1` dropped
 * the connection), and PouchDB Server's Express reads `limit[]=1.5` (`%5B%5D` too) as `limit`, which
 * ended its process. Names are checked decoded, as both servers decode them (`%66eed` is `feed`
 * everywhere). No CouchDB client needs any of these: every name CouchDB reads is lower case without
 * brackets, and PouchDB encodes ";" in values.
 */
export function readQuery(rawQuery: string): URLSearchParams | CouchError {
  if (rawQuery.includes(';')) return badRequest('Separate query parameters with "&" and percent-encode ";" in values.');
  const query = new URLSearchParams(rawQuery);
  const seen = new Set<string>();
  for (const name of query.keys()) {
    const refusal = nameRefusal(name);
    if (refusal) return refusal;
    if (seen.has(name)) return badRequest(`The query names "${name}" more than once.`);
    seen.add(name);
  }
  return query;
}

/** A query parameter name some server reads as another one, refused; null for one read as written. */
function nameRefusal(name: string): CouchError | null {
  if (/[A-Z]/.test(name)) return badRequest(`Write query parameter names in lower case: "${name}" is not.`);
  if (/[[\]]/.test(name)) return badRequest(`Query parameter names cannot contain "[" or "]": "${name}" does.`);
  return null;
}

/** One query parameter's check: null for a value every server reads as meant, else the refusal. */
type ParamCheck = (value: string, name: string) => CouchError | null;

/** Which parameters of a request are checked, and how; others pass as sent. */
export type ParamChecks = Readonly<Record<string, ParamCheck>>;

/**
 * Typed parameters. CouchDB reads these with Erlang's `list_to_integer`/`list_to_existing_atom`
 * and answered anything else with a 500 (`limit=abc`, `timeout=abc`, `style=abc`, a `view` that is
 * not "ddoc/name") or a dropped connection (`timeout=-1`); PouchDB Server crashed on `limit=1.5`,
 * answered 500 for `doc_ids={}` and `open_revs={}`, and ignored a heartbeat it could not read.
 * Refused here, a client gets a 400 saying what is wrong from both.
 */
const typed =
  (expected: string, accepts: (value: string) => boolean): ParamCheck =>
  (value, name) =>
    accepts(value) ? null : badRequest(`Invalid "${name}": expected ${expected}.`);

const count = typed('a non-negative integer', (value) => /^\d+$/.test(value));
const oneOf = (...values: string[]) => typed(`one of ${values.join(', ')}`, (value) => values.includes(value));

/** JSON lists of ids: also refused when they name a `_local` doc (body-rules.ts says why). */
const docIds: ParamCheck = (value, name) => idListRefusal(name, parseJson(value));

/** `_changes`, as CouchDB's `parse_changes_query` reads it. */
export const CHANGES_PARAMS: ParamChecks = {
  // A design-doc filter that does not exist crashes PouchDB Server 4.2.
  filter: oneOf('_doc_ids', '_selector', '_view'),
  view: typed('"<design doc>/<view>"', (value) => /^[^/]+\/[^/]+$/.test(value)),
  // PouchDB Server reads it without `filter=_doc_ids` too.
  doc_ids: docIds,
  limit: count,
  timeout: count,
  heartbeat: typed('true or a positive integer', (value) => value === 'true' || (/^\d+$/.test(value) && Number(value) > 0)),
  style: oneOf('main_only', 'all_docs'),
};

/** `_all_docs`: CouchDB returns `_local` docs named in `keys` (with `include_docs`, their bodies). */
export const ALL_DOCS_PARAMS: ParamChecks = { keys: docIds };

/** A document read. */
export const DOC_PARAMS: ParamChecks = {
  open_revs: typed('all or a JSON array of revisions', (value) => value === 'all' || isStringArray(parseJson(value))),
};

/**
 * Parameters PouchDB Server reads in place of the body the proxy checked (CouchDB reads neither):
 * a PUT's `id` when the body has no `_id` (it wrote `_local/fieldbook-migration`), and the
 * documents of a `_bulk_get` (it read that one).
 */
const notInQuery =
  (where: string): ParamCheck =>
  (_value, name) =>
    badRequest(`Send "${name}" ${where}, not in the query.`);

/** A document's PUT or DELETE. */
export const DOC_WRITE_PARAMS: ParamChecks = { id: notInQuery('as the path') };

/** `_bulk_get`. */
export const BULK_GET_PARAMS: ParamChecks = { docs: notInQuery('in the body') };

/** The first refusal among `query`'s checked parameters, or null. */
export function paramRefusal(query: URLSearchParams, checks: ParamChecks): CouchError | null {
  for (const [name, check] of Object.entries(checks)) {
    const value = query.get(name);
    const refusal = value === null ? null : check(value, name);
    if (refusal) return refusal;
  }
  return null;
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
