import express, { type Request, type Response } from 'express';
import { API_REASONS } from '../domain/api-reasons';
import { flavourOf } from '../couch/server-flavour';
import { adminsOnly, type AdminCheck, type AdminLocals } from './admin-caller';
import { couchAuthHeaders } from './authenticate';
import { badGateway, sendCouchError } from './couch-error';
import { fromReplicatorDocs, fromSchedulerDocs } from '../domain/replication-status';

interface AdminRouteDeps {
  couchUrl: string;
  admins: AdminCheck;
  /** How long each question to CouchDB may take before the admin is answered 502. */
  answerMs: number;
}

/** `/api/admin`: for Fieldbook admins only, asked of CouchDB as the admin themselves. */
export function adminRoutes({ couchUrl, admins, answerMs }: AdminRouteDeps) {
  const router = express.Router();

  // Every method: an OPTIONS answered by Express's router (the methods allowed) is an answer to anyone else too.
  router.use('/replications', adminsOnly(admins, API_REASONS.jobsAdminsOnly));

  /** Replication jobs with their state and errors: `[{id, source, target, state, error?, lastUpdated?}]`. */
  router.get('/replications', async (req: Request, res: Response<unknown, AdminLocals>) => {
    const { identity } = res.locals;
    const ask = async (path: string) => {
      const response = await fetch(`${couchUrl}${path}`, {
        headers: { ...couchAuthHeaders(identity), accept: 'application/json' },
        signal: AbortSignal.timeout(answerMs),
      });
      if (!response.ok) throw new Error(`${path} answered ${response.status}`);
      return response.json();
    };
    let jobs;
    try {
      jobs =
        flavourOf(await ask('/')) === 'couchdb'
          ? fromSchedulerDocs(await ask('/_scheduler/docs/_replicator'), couchUrl)
          : fromReplicatorDocs(await ask('/_replicator/_all_docs?include_docs=true'));
    } catch (error) {
      req.log?.warn({ error: (error as Error).message }, 'could not list replication jobs');
      return sendCouchError(res, badGateway(API_REASONS.jobsUnlisted));
    }
    res.set('Cache-Control', 'no-store').json(jobs);
  });

  return router;
}
