import type { Request, Response } from 'express';
import { adminsOnly, type AdminCheck } from './admin-caller';
import { overloaded, sendCouchError } from './couch-error';
import type { MetricsSource } from './metrics-source';

/**
 * `/metrics` on the public port: Prometheus text for Fieldbook admins only (or use the
 * loopback metrics port), their account asked on every scrape as the admin API asks it (a
 * session keeps the roles it logged in with). In a cluster worker the source is the whole
 * group's, from the primary; if that does not come in time the answer is 503, not a wait.
 */
export function metricsRoute(admins: AdminCheck, source: MetricsSource) {
  const render = async (_req: Request, res: Response) => {
    let text: string;
    try {
      text = await source.render();
    } catch {
      return sendCouchError(res, overloaded("The proxy workers' metrics could not be gathered in time.", 5));
    }
    res.set('Cache-Control', 'no-store').type(source.contentType).send(text);
  };
  return [adminsOnly(admins, 'Only administrators may read metrics.'), render] as const;
}
