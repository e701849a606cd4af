import type { Request, Response } from 'express';
import { couchUnreachable, sendCouchError } from './couch-error';

/** Whether CouchDB serves a real database request in time. */
export type Readiness = () => Promise<boolean>;

const PROBE_TIMEOUT_MS = 3_000;
/** Every tablet checks /health: one probe at a time, its answer reused this long. */
const REUSE_MS = 1_000;

/**
 * Reads a database's info (`GET /<db>`) with the given credentials: `GET /` answered while
 * every database request hung (a wedged PouchDB Server), so it does not count.
 */
export function databaseReadiness(couchUrl: string, authorization: string, db: string): Readiness {
  let last: { at: number; answer: Promise<boolean> } | null = null;
  const probe = async () => {
    try {
      const response = await fetch(`${couchUrl}/${db}`, {
        headers: { authorization, accept: 'application/json' },
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false;
    }
  };
  return () => {
    if (!last || Date.now() - last.at > REUSE_MS) last = { at: Date.now(), answer: probe() };
    return last.answer;
  };
}

/** `/health/live`: this process answers (restart it otherwise). */
export function liveness() {
  return (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json({ ok: true });
  };
}

/** `/health` and `/health/ready`: 200 while CouchDB serves database requests, 503 otherwise; the app's reachability check. */
export function readiness(ready: Readiness) {
  return async (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    if (await ready()) res.json({ ok: true, couch: 'up' });
    else sendCouchError(res, couchUnreachable);
  };
}
