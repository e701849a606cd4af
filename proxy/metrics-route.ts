import type { Request, Response } from 'express';
import { isAdminCaller } from './admin-caller';
import type { Authenticator } from './authenticate';
import { forbidden, overloaded, sendCouchError, unauthorized } from './couch-error';
import type { MetricsSource } from './metrics-source';

/**
 * `/metrics` on the public port: Prometheus text for Fieldbook admins only (or use the
 * loopback metrics port). In a cluster worker the source is the whole group's, from the
 * primary; if that does not come in time the answer is 503, not a wait.
 */
export function metricsRoute(authenticator: Authenticator, source: MetricsSource) {
  return async (req: Request, res: Response) => {
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    if (!isAdminCaller(identity.caller)) return sendCouchError(res, forbidden('Only administrators may read metrics.'));
    let text: string;
    try {
      text = await source.render();
    } catch {
      return sendCouchError(res, overloaded("The proxy workers' metrics could not be gathered in time.", 5));
    }
    res.set('Cache-Control', 'no-store').type(source.contentType).send(text);
  };
}
