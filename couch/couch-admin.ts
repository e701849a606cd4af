import nano from 'nano';
import type { FetchDispatcher } from './request-limit';

export type CouchAdmin = nano.ServerScope;

/**
 * A nano client acting as CouchDB server admin; the URL carries the credentials. Its requests
 * go through `dispatcher` when given (the CLIs': request-limit.ts), else through Node's fetch as is.
 */
export function couchAdmin(adminUrl: string, { dispatcher }: { dispatcher?: FetchDispatcher } = {}): CouchAdmin {
  // nano's types name undici's classes for `agentOptions`; nano hands any dispatcher to fetch.
  const agentOptions = dispatcher as unknown as nano.Configuration['agentOptions'];
  return nano({ url: adminUrl, ...(dispatcher ? { agentOptions } : {}) });
}

/** The URL without credentials, and the credentials, of an admin URL. */
export function splitCredentials(adminUrl: string): { url: string; name: string; password: string } {
  const parsed = new URL(adminUrl);
  const name = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.toString().replace(/\/$/, ''), name, password };
}

/** The HTTP Basic `Authorization` header value for a name and password. */
export function basicAuthorization(name: string, password: string): string {
  return 'Basic ' + Buffer.from(`${name}:${password}`).toString('base64');
}

/**
 * These revisions of a document (`open_revs`), or every leaf (`'all'`), the ones the database holds,
 * with their ancestry when `history`; nano's typed `get` has no such option.
 */
export async function openRevs<T>(
  couch: CouchAdmin,
  db: string,
  id: string,
  revs: string[] | 'all',
  { history = false }: { history?: boolean } = {},
): Promise<T[]> {
  if (!revs.length) return [];
  const qs = { open_revs: revs === 'all' ? revs : JSON.stringify(revs), ...(history ? { revs: true } : {}) };
  const rows = (await couch.request({ db, doc: id, qs })) as { ok?: T }[];
  return rows.flatMap(({ ok }) => (ok ? [ok] : []));
}

export function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404;
}

export function isConflict(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 409;
}

/** A nano call that got no HTTP answer at all (CouchDB down, the connection refused or cut): nano says so only in its message. */
export function isUnreachable(error: unknown): boolean {
  const { statusCode, message } = (error ?? {}) as { statusCode?: unknown; message?: unknown };
  return statusCode === undefined && typeof message === 'string' && message.startsWith('error happened in your connection');
}
