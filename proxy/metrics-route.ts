import type { Request, Response } from 'express';
import { isAdminCaller } from './admin-caller';
import type { Authenticator } from './authenticate';
import { forbidden, sendCouchError, unauthorized } from './couch-error';
import type { ProxyMetrics } from './metrics';

/** `/metrics` on the public port: Prometheus text for Fieldbook admins only (or use the loopback metrics port). */
export function metricsRoute(authenticator: Authenticator, metrics: ProxyMetrics) {
  return async (req: Request, res: Response) => {
    const identity = await authenticator.identify(req);
    if (!identity) return sendCouchError(res, unauthorized());
    if (!isAdminCaller(identity.caller)) return sendCouchError(res, forbidden('Only administrators may read metrics.'));
    res.set('Cache-Control', 'no-store').type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
