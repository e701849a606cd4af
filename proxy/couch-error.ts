import type { ServerResponse } from 'node:http';
import { sendJson } from './json-response';

/** A refusal in CouchDB's own shape, so CouchDB clients report it as they would CouchDB's. */
export interface CouchError {
  status: number;
  error: string;
  reason: string;
}

export function sendCouchError(res: ServerResponse, { status, error, reason }: CouchError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error, reason });
}

export const unauthorized = (reason = 'You are not logged in.'): CouchError => ({ status: 401, error: 'unauthorized', reason });
export const forbidden = (reason: string): CouchError => ({ status: 403, error: 'forbidden', reason });
export const notFound = (reason = 'missing'): CouchError => ({ status: 404, error: 'not_found', reason });
export const badRequest = (reason: string): CouchError => ({ status: 400, error: 'bad_request', reason });
export const badGateway = (reason: string): CouchError => ({ status: 502, error: 'bad_gateway', reason });
export const couchUnreachable: CouchError = { status: 503, error: 'service_unavailable', reason: 'The database server is not reachable.' };
export const proxyFailed: CouchError = { status: 500, error: 'internal_server_error', reason: 'The proxy failed; see its log.' };
