import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CouchAdmin } from '../couch/couch-admin';
import type { ChangesHandler } from './changes-follower';
import { HandoverMetrics } from './handover-metrics';
import { handOver, hubReader, toldItWentElsewhere } from './hub-records';
import { planHandovers, type Handover, type HubChange, type HubRecord } from './record-handover';

export interface HandoverOptions {
  couch: CouchAdmin;
  logger: Logger;
  /** Where its metrics go (handover-metrics.ts): the proxy's registry, or a cluster primary's. */
  registry: Registry;
}

/**
 * Copies into an inspection's owner's database what their replication job cannot bring them
 * (proxy/record-handover.ts says why): the records others wrote on it, and, when it is
 * reassigned, everything of it for the new assignee and the reassigning revision for the user
 * it was taken from. It hears the hub's changes from the hub work's follower (hub-work.ts).
 *
 * Copies are the same revisions, so two proxy processes doing the same work (several
 * containers) only repeat it.
 */
export function recordHandover(options: HandoverOptions): ChangesHandler<HubRecord> {
  const { couch, logger } = options;
  const reader = hubReader(couch);
  // Whom each reassigned inspection's existing records went to last: its later changes need
  // not gather them again until it goes to someone else. Lost on restart, which gathers each once more.
  const handedTo = new LRUCache<string, string>({ max: 10_000 });
  // Saves the look-up of a changed record's defect and inspection (one request per hub write)
  // while they are remembered; lost on restart, when the look-ups fill it again.
  const parents = new LRUCache<string, HubRecord>({ max: 20_000 });
  const metrics = new HandoverMetrics(options.registry);

  const copy = async (handover: Handover) => {
    const written = await handOver(couch, handover, (id, reason) => {
      metrics.refused.inc();
      logger.error({ id, to: handover.to, reason }, 'record handover: a copy was refused');
    });
    if (!written) return;
    metrics.copied.inc(written);
    logger.info({ to: handover.to, documents: handover.leaves.size, written }, 'record handover');
  };

  return {
    caughtUp: () => metrics.lastRound.setToCurrentTime(),
    failed: () => metrics.failedRounds.inc(),
    async handle(rows) {
      const changes = rows.flatMap((row): HubChange[] =>
        row.doc ? [{ doc: row.doc, revs: row.changes.map((change) => change.rev) }] : [],
      );
      const { handovers, released, gathered } = await planHandovers(changes, reader, handedTo, parents);
      // Checked against their database, not `handedTo`: after a restart the inspection's next
      // change would otherwise send them a revision made after it was taken from them.
      for (const { from, inspectionId, revs } of released) {
        if (!(await toldItWentElsewhere(couch, from, inspectionId))) handovers.push({ to: from, leaves: new Map([[inspectionId, revs]]) });
      }
      for (const handover of handovers) await copy(handover);
      for (const [inspectionId, assignee] of gathered) handedTo.set(inspectionId, assignee);
    },
  };
}
