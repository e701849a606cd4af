import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CouchAdmin } from '../couch/couch-admin';
import type { ChangesHandler } from './changes-follower';
import { HandoverMetrics } from './handover-metrics';
import { handOver, hubReader } from './hub-records';
import { planHandovers, type HubChange, type HubRecord } from './reassignment-handover';

export interface HandoverOptions {
  couch: CouchAdmin;
  logger: Logger;
  /** Where its metrics go (handover-metrics.ts): the proxy's registry, or a cluster primary's. */
  registry: Registry;
}

/**
 * Copies into a reassigned inspection's new assignee's database what their replication job
 * cannot bring them (proxy/reassignment-handover.ts says why): the records others wrote on it,
 * when it is reassigned and whenever one of them changes. It hears the hub's changes from the
 * hub work's follower (hub-work.ts).
 *
 * Copies are the same revisions, so two proxy processes doing the same work (several
 * containers) only repeat it.
 */
export function reassignmentHandover(options: HandoverOptions): ChangesHandler<HubRecord> {
  const { couch, logger } = options;
  const reader = hubReader(couch);
  // Whom each reassigned inspection's existing records went to last: its later changes need
  // not gather them again until it goes to someone else. Lost on restart, which gathers each once more.
  const handedTo = new LRUCache<string, string>({ max: 10_000 });
  // Saves the look-up of a changed record's defect and inspection (one request per hub write)
  // while they are remembered; lost on restart, when the look-ups fill it again.
  const parents = new LRUCache<string, HubRecord>({ max: 20_000 });
  const metrics = new HandoverMetrics(options.registry);

  return {
    caughtUp: () => metrics.lastRound.setToCurrentTime(),
    failed: () => metrics.failedRounds.inc(),
    async handle(rows) {
      const changes = rows.flatMap((row): HubChange[] =>
        row.doc ? [{ doc: row.doc, revs: row.changes.map((change) => change.rev) }] : [],
      );
      const { handovers, gathered } = await planHandovers(changes, reader, handedTo, parents);
      for (const handover of handovers) {
        const written = await handOver(couch, handover, (id, reason) => {
          metrics.refused.inc();
          logger.error({ id, assignee: handover.assignee, reason }, 'reassignment handover: a copy was refused');
        });
        if (written) metrics.copied.inc(written);
        if (written !== 0) logger.info({ assignee: handover.assignee, documents: handover.leaves.size, written }, 'reassignment handover');
      }
      for (const [inspectionId, assignee] of gathered) handedTo.set(inspectionId, assignee);
    },
  };
}
