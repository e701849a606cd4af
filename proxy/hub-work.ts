import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CouchAdmin } from '../couch/couch-admin';
import { HUB_DB } from '../domain/db-names';
import type { ChangesFeed } from './changes-feed';
import { followChanges, type ChangeRow, type ChangesHandler } from './changes-follower';
import { hubConflictMerge } from './hub-conflict-merge';
import { watchPartnerShares } from './partner-withdrawal-watch';
import type { SharedDoc } from './partner-withdrawal';
import { photoSharing } from './photo-sharing-work';
import type { HubRecord } from './record-handover';
import { recordHandover } from './record-handover-work';

/** Where the hub work keeps how far it has read the hub. */
export const HUB_WORK_CHECKPOINT_ID = '_local/fieldbook-hub-work';

export interface HubWorkOptions {
  couch: CouchAdmin;
  couchAdminUrl: string;
  logger: Logger;
  /** Where their metrics go: the proxy's registry, or a cluster primary's. */
  registry: Registry;
  /** How long one read of a database waits for a change (default 25 s). */
  idleMs?: number;
}

/**
 * What the hub's replication jobs cannot do, done in the background by following changes:
 * the record handover, the partner withdrawal and the photos' share. One per process group is enough;
 * several only repeat the same writes.
 *
 * Both hear the hub from one follower: each hub write costs one read and one checkpoint, not
 * one of each per piece of work (bench/hub-work.ts counts them). The first run reads the hub
 * from the start, which also catches up on anything reassigned or unshared before it ran.
 */
export function startHubWork(options: HubWorkOptions): ChangesFeed {
  const withdrawal = watchPartnerShares(options);
  const handlers: ChangesHandler<HubRecord & SharedDoc>[] = [
    recordHandover(options),
    withdrawal.hub,
    photoSharing(options),
    hubConflictMerge(options),
  ];
  const hub = followChanges<HubRecord & SharedDoc>({
    couch: options.couch,
    couchAdminUrl: options.couchAdminUrl,
    db: HUB_DB,
    checkpointId: HUB_WORK_CHECKPOINT_ID,
    purpose: 'hub work',
    logger: options.logger,
    idleMs: options.idleMs,
    handle: (rows) => handleAll(handlers, rows),
    caughtUp: () => handlers.forEach((handler) => handler.caughtUp?.()),
    failed: (error) => handlers.forEach((handler) => handler.failed?.(error)),
  });
  return {
    stop() {
      hub.stop();
      withdrawal.stop();
    },
  };
}

/** Each handler's work on the batch, side by side; when one fails the batch comes again for all (their work bears repeating). */
async function handleAll<Doc>(handlers: ChangesHandler<Doc>[], rows: ChangeRow<Doc>[]): Promise<void> {
  const results = await Promise.allSettled(handlers.map((handler) => handler.handle(rows)));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}
