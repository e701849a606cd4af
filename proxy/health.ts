import type { Request, Response } from 'express';
import { couchUnreachable, sendCouchError } from './couch-error';

/** 200 while CouchDB answers, 503 otherwise; the app's reachability check. */
export function health(couchUrl: string) {
  return async (_req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    try {
      const response = await fetch(couchUrl, { signal: AbortSignal.timeout(3_000) });
      if (!response.ok) throw new Error(`status ${response.status}`);
      res.json({ ok: true, couch: 'up' });
    } catch {
      sendCouchError(res, couchUnreachable);
    }
  };
}
