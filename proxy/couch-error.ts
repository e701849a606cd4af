import type { ServerResponse } from 'node:http';
import { API_REASONS } from '../domain/api-reasons';
import { isUnreachable } from '../couch/couch-admin';
import { sendJson } from './json-response';

/** A refusal in CouchDB's own shape, so CouchDB clients report it as they would CouchDB's. */
export interface CouchError {
  status: number;
  error: string;
  reason: string;
  /** Seconds; sent as `Retry-After` (503 and 429), so clients back off instead of hammering. */
  retryAfterS?: number;
}

export function sendCouchError(res: ServerResponse, { status, error, reason, retryAfterS }: CouchError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (retryAfterS !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterS))));
  sendJson(res, status, { error, reason });
}

export const unauthorized = (reason: string = API_REASONS.notLoggedIn): CouchError => ({ status: 401, error: 'unauthorized', reason });
export const forbidden = (reason: string): CouchError => ({ status: 403, error: 'forbidden', reason });
export const notFound = (reason = 'missing'): CouchError => ({ status: 404, error: 'not_found', reason });
export const badRequest = (reason: string): CouchError => ({ status: 400, error: 'bad_request', reason });
export const badGateway = (reason: string): CouchError => ({ status: 502, error: 'bad_gateway', reason });
export const requestTimeout = (reason: string): CouchError => ({ status: 408, error: 'request_timeout', reason });
export const tooLarge = (reason: string): CouchError => ({ status: 413, error: 'too_large', reason });
export const tooManyRequests = (reason: string, retryAfterS: number): CouchError => ({
  status: 429,
  error: 'too_many_requests',
  reason,
  retryAfterS,
});
export const overloaded = (reason: string, retryAfterS: number): CouchError => ({
  status: 503,
  error: 'service_unavailable',
  reason,
  retryAfterS,
});
export const couchSilent: CouchError = { status: 504, error: 'gateway_timeout', reason: API_REASONS.databaseSilent };
export const couchUnreachable: CouchError = {
  status: 503,
  error: 'service_unavailable',
  reason: API_REASONS.databaseUnreachable,
  retryAfterS: 5,
};
export const proxyFailed: CouchError = { status: 500, error: 'internal_server_error', reason: API_REASONS.proxyFailed };

/** Thrown where a refusal is found deep in a request's handling (a throttled login); answered as its CouchError. */
export class Refused extends Error {
  constructor(readonly refusal: CouchError) {
    super(refusal.reason);
  }
}

/**
 * The answer for an error that escaped a handler: a refusal as itself, a request Express could
 * not read (its body, a path parameter) as the client's mistake, anything else as a 500.
 */
export function refusalOf(error: unknown): CouchError {
  if (error instanceof Refused) return error.refusal;
  return unreadableRequest(error) ?? unansweredFetch(error) ?? proxyFailed;
}

/** A question of the proxy's own to CouchDB that got no answer (a login, a session): its time limit (504), or no connection (503). */
function unansweredFetch(error: unknown): CouchError | null {
  if ((error as { name?: unknown } | null)?.name === 'TimeoutError') return couchSilent;
  return (error instanceof TypeError && error.message === 'fetch failed') || isUnreachable(error) ? couchUnreachable : null;
}

/** Express's own 4xx errors (body-parser's http-errors, the router's undecodable parameter). */
function unreadableRequest(error: unknown): CouchError | null {
  const { status, type, message } = (error ?? {}) as { status?: unknown; type?: unknown; message?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return null;
  if (type === 'entity.parse.failed') return badRequest('The request body is not valid JSON.');
  if (type === 'entity.too.large') return tooLarge('The request body is too large.');
  return {
    status,
    error: status === 415 ? 'bad_content_type' : 'bad_request',
    reason: `The request could not be read: ${String(message)}.`,
  };
}
