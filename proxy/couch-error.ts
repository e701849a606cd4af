import type { Response } from 'express';

/** A refusal in CouchDB's own shape, so CouchDB clients report it as they would CouchDB's. */
export interface CouchError {
  status: number;
  error: string;
  reason: string;
}

export function sendCouchError(res: Response, { status, error, reason }: CouchError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).type('application/json').send(JSON.stringify({ error, reason }));
}

export const unauthorized = (reason = 'You are not logged in.'): CouchError => ({ status: 401, error: 'unauthorized', reason });
export const forbidden = (reason: string): CouchError => ({ status: 403, error: 'forbidden', reason });
export const notFound = (reason = 'missing'): CouchError => ({ status: 404, error: 'not_found', reason });
export const badRequest = (reason: string): CouchError => ({ status: 400, error: 'bad_request', reason });
