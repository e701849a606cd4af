import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CouchAdmin } from '../couch/couch-admin';
import type { ChangesFeed } from './changes-feed';
import { watchReassignments } from './handover-watch';
import { watchPartnerShares } from './partner-withdrawal-watch';

export interface HubWorkOptions {
  couch: CouchAdmin;
  couchAdminUrl: string;
  logger: Logger;
  /** Where their metrics go: the proxy's registry, or a cluster primary's. */
  registry: Registry;
}

/**
 * What the hub's replication jobs cannot do, done in the background by following changes:
 * the reassignment handover and the partner withdrawal. One per process group is enough;
 * several only repeat the same writes.
 */
export function startHubWork(options: HubWorkOptions): ChangesFeed {
  const feeds = [watchReassignments(options), watchPartnerShares(options)];
  return { stop: () => feeds.forEach((feed) => feed.stop()) };
}
