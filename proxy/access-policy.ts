import { API_REASONS } from '../domain/api-reasons';
import type { BodyRule } from './body-rules';
import { badRequest, forbidden, notFound, type CouchError } from './couch-error';
import {
  ALL_DOCS_PARAMS,
  BULK_GET_PARAMS,
  CHANGES_PARAMS,
  DOC_PARAMS,
  DOC_WRITE_PARAMS,
  paramRefusal,
  type ParamChecks,
} from './query-params';

/** What a caller may do with one database. */
export type DbAccess = 'readwrite' | 'read';

export interface Caller {
  name: string;
  roles: string[];
}

/**
 * Allowed requests may still depend on their body: `bodyRule` says how to check it (body-rules.ts);
 * `scanIds`, that a body streaming unread has its documents' `_id`s checked as it passes (push-id-scan.ts).
 */
export type PolicyDecision = { allow: true; targetPath: string; bodyRule?: BodyRule; scanIds?: true } | ({ allow: false } & CouchError);

/** Endpoints under a database, by the methods a reader or a writer may use, with the checks of their query and body. */
const DB_ENDPOINTS: Record<string, { read: string[]; write: string[]; postBody?: BodyRule; params?: ParamChecks }> = {
  '': { read: ['GET', 'HEAD'], write: ['POST'] },
  _changes: { read: ['GET', 'HEAD', 'POST'], write: [], postBody: 'changes', params: CHANGES_PARAMS },
  _all_docs: { read: ['GET', 'HEAD', 'POST'], write: [], postBody: 'all_docs', params: ALL_DOCS_PARAMS },
  _bulk_get: { read: ['POST'], write: [], postBody: 'bulk_get', params: BULK_GET_PARAMS },
  _revs_diff: { read: ['POST'], write: [], postBody: 'revs_diff' },
  _missing_revs: { read: ['POST'], write: [], postBody: 'revs_diff' },
  _find: { read: ['POST'], write: [], postBody: 'query' },
  _explain: { read: ['POST'], write: [], postBody: 'query' },
  // Creating an index writes a design document (the one `ddoc` names, ours too):
  // CouchDB 3 refuses it to members anyway, PouchDB Server did not.
  _index: { read: ['GET', 'HEAD'], write: [] },
  _bulk_docs: { read: [], write: ['POST'], postBody: 'bulk_docs' },
  // CouchDB's replicator flushes both ends before every checkpoint, a read-only source too
  // (a refusal crashes the job); it changes no data, and CouchDB 3 answers it without work.
  _ensure_full_commit: { read: ['POST'], write: [] },
};

/**
 * What RFC 3986 allows unencoded in a path. Anything else, a "#" above all (CouchDB cuts the path
 * there, so `DELETE /db/x/#` reached it as the database's DELETE), may be read differently.
 */
const PATH_CHARACTERS = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;

/**
 * The `_local` docs a caller may read and write: a replication's checkpoints, named as CouchDB's
 * replicator names them (an MD5 in hex, its options after `+`) and as PouchDB's does (an MD5 in
 * base64, `/` and `+` replaced). Any other is the server's: the server's own work keeps its
 * place in `_local/fieldbook-…`, and PouchDB Server trusts some of its own, written by a member,
 * against the whole server: `_security` made her the database's admin, `_pouch_dependentDbs`
 * and `mrviews` list databases it deletes with hers (the hub, another user's) when an admin
 * deletes it or cleans its views.
 */
const CHECKPOINT_ID = /^(?:[0-9a-f]{32}(?:\+[a-z_]+)*|[A-Za-z0-9._]{22}==)$/;

/**
 * A personal database (couch_peruser's `userdb-<hex>`, domain/user-db-name.ts) takes its tablet's push,
 * whose `_bulk_docs` carry full-size photos inline (base64, as PouchDB sends attachments): a batch of 250
 * documents passes 16 MB with a few dozen photos, more than the proxy reads to check (`maxCheckedBodyBytes`).
 * So there `_bulk_docs` streams unread, its documents' `_id`s checked as it passes (push-id-scan.ts): a
 * `_local` doc in it (`_local/fieldbook-migration` made `npm run migrate` skip the database) is refused
 * as in a checked body, and CouchDB, which reads the whole body before writing any of it, gets the
 * request cut short. The hub's are supervisors' reviews and assignments, photos as stubs.
 */
const PERSONAL_DB_PREFIX = 'userdb-';

const DOC_READ = ['GET', 'HEAD'];
const DOC_WRITE = ['PUT', 'DELETE'];

/**
 * Decides one request under `/db/`. Everything not explicitly allowed here is refused.
 *
 * `rawPath` is the path exactly as the client sent it (still percent-encoded, without the
 * query). Requests for any database the caller has no grant on are refused identically,
 * whether it exists or not, so nothing about other databases leaks. An allowed request goes
 * to CouchDB as the segments decided on, each encoded afresh: `%5Fchanges` arrives as the
 * `_changes` it was judged as, a "+" as itself (CouchDB reads a raw one as a space).
 */
export function decide(method: string, rawPath: string, query: URLSearchParams, grants: ReadonlyMap<string, DbAccess>): PolicyDecision {
  if (!PATH_CHARACTERS.test(rawPath)) return deny(badRequest('Percent-encode the path: it has characters a URL path cannot carry.'));
  const segments = parsePath(rawPath);
  if (!segments) return deny(forbidden('This path is not allowed.'));
  if (segments.length === 0) return deny(forbidden('Name a database you have access to.'));

  const [dbName, ...rest] = segments;
  if (dbName === '_session') return deny(notFound('Log in with HTTP Basic auth or through /api/session.'));
  const access = grants.get(dbName);
  if (!access) return deny(forbidden(API_REASONS.notYourDatabase));

  const target = '/' + segments.map(encodeURIComponent).join('/');
  const allowed = (methods: { read: string[]; write: string[] }) =>
    methods.read.includes(method) || (access === 'readwrite' && methods.write.includes(method));

  if (rest.length === 0) {
    if (method === 'PUT' || method === 'DELETE') return deny(forbidden('Databases are created and deleted by administrators only.'));
    return allowed(DB_ENDPOINTS['']) ? allow(target, method === 'POST' ? 'doc' : undefined) : deny(methodNotAllowed(method, access));
  }

  const [first, ...tail] = rest;
  if (first === '_local') {
    // Checkpoints are written on both ends of a replication, also on a read-only source;
    // `_local` docs never replicate, so they cannot carry data anywhere.
    if (tail.length !== 1) return deny(notFound());
    if (!CHECKPOINT_ID.test(tail[0]))
      return deny(forbidden('Only replication checkpoints are kept here; this document is the server’s own.'));
    if (!['GET', 'HEAD', 'PUT', 'DELETE'].includes(method)) return deny(methodNotAllowed(method));
    const request = documentRequest(method, target, rest.join('/'), query);
    return request.allow && method === 'PUT' ? allow(target, { checkpoint: rest.join('/') }) : request;
  }
  if (first === '_design') {
    if (!DOC_READ.includes(method) && !(method === 'POST' && tail[1] === '_view')) {
      return deny(forbidden('Only administrators may change design documents.'));
    }
    if (tail.length === 1) return documentRequest(method, target, rest.join('/'), query);
    if (tail.length !== 3 || tail[1] !== '_view') return deny(notFound());
    return allow(target, method === 'POST' ? 'keys' : undefined);
  }
  if (first.startsWith('_')) {
    const endpoint = DB_ENDPOINTS[first];
    if (!endpoint || tail.length > 0) return deny(forbidden(`${first} is not available through this server.`));
    if (first === '_index' && method === 'POST') return deny(forbidden('Indexes are made by administrators only.'));
    if (!allowed(endpoint)) return deny(methodNotAllowed(method, access));
    const refusal = endpoint.params && paramRefusal(query, endpoint.params);
    if (refusal) return deny(refusal);
    if (first === '_bulk_docs' && dbName.startsWith(PERSONAL_DB_PREFIX)) return { allow: true, targetPath: target, scanIds: true };
    return allow(target, method === 'POST' ? endpoint.postBody : undefined);
  }

  // A document, or an attachment of one (attachment names may contain "/").
  if (!DOC_READ.includes(method) && !(access === 'readwrite' && DOC_WRITE.includes(method))) return deny(methodNotAllowed(method, access));
  return tail.length === 0 ? documentRequest(method, target, first, query) : allow(target);
}

/** An allowed request for the document `id` itself: its query checked, and a PUT's body. */
function documentRequest(method: string, target: string, id: string, query: URLSearchParams): PolicyDecision {
  const refusal = paramRefusal(query, DOC_READ.includes(method) ? DOC_PARAMS : DOC_WRITE_PARAMS);
  if (refusal) return deny(refusal);
  return method === 'PUT' ? allow(target, { put: id }) : allow(target);
}

/**
 * Splits and checks a raw path. Refuses what could make CouchDB see a different path than
 * this policy did: encoded slashes or backslashes, dot segments (also encoded), double
 * encoding, control characters, malformed escapes, and database names in any other case.
 */
export function parsePath(rawPath: string): string[] | null {
  if (!rawPath.startsWith('/') || rawPath.includes('\\')) return null;
  const segments = rawPath.slice(1).split('/');
  // Every CouchDB URL may end with "/".
  if (segments[segments.length - 1] === '') segments.pop();
  if (segments.length === 0) return [];
  const decoded: string[] = [];
  for (const segment of segments) {
    if (/%(2f|5c|25|00)/i.test(segment)) return null;
    let value: string;
    try {
      value = decodeURIComponent(segment);
    } catch {
      return null;
    }
    // eslint-disable-next-line no-control-regex -- control characters are what it rejects
    if (value === '.' || value === '..' || /[\u0000-\u001f\u007f]/.test(value)) return null;
    if (segment === '') return null;
    decoded.push(value);
  }
  if (!isDatabaseName(decoded[0])) return null;
  return decoded;
}

/** A database name (or a server endpoint such as `_all_dbs`) that every server reads as written: lower case, no "/". */
export function isDatabaseName(name: string): boolean {
  return /^(_[a-z_]+|[a-z][a-z0-9_$()+-]*)$/.test(name);
}

function allow(targetPath: string, bodyRule?: BodyRule): PolicyDecision {
  return bodyRule ? { allow: true, targetPath, bodyRule } : { allow: true, targetPath };
}

function deny(error: CouchError): PolicyDecision {
  return { allow: false, ...error };
}

function methodNotAllowed(method: string, access?: DbAccess): CouchError {
  if (access === 'read') return forbidden(API_REASONS.readOnlyDatabase);
  return { status: 405, error: 'method_not_allowed', reason: `${method} is not allowed here.` };
}
