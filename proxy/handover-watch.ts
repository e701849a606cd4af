import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { basicAuthorization, isConflict, isNotFound, splitCredentials, type CouchAdmin } from '../couch/couch-admin';
import { HandoverMetrics } from './handover-metrics';
import { handOver, hubReader } from './hub-records';
import { planHandovers, type HubChange, type HubRecord } from './reassignment-handover';
import { HUB_DB } from '../domain/db-names';
import type { ChangesFeed } from './changes-feed';

/** Hub changes read per round: each round's lookups and copies are batched. */
const BATCH = 100;
/** CouchDB answers an idle longpoll after this; PouchDB Server ignores it, so the request is cut 40 % later. */
const IDLE_MS = 25_000;
const CUT_FACTOR = 1.4;
const RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** Where the handover keeps how far it has read the hub (a `_local` doc: never replicated). */
const CHECKPOINT_ID = '_local/fieldbook-reassignment-handover';

export interface HandoverWatchOptions {
  couch: CouchAdmin;
  couchAdminUrl: string;
  logger: Logger;
  /** Where its metrics go (handover-metrics.ts): the proxy's registry, or a cluster primary's. */
  registry: Registry;
  /** How long one read of the hub waits for a change (default 25 s). */
  idleMs?: number;
}

/**
 * Follows the hub and copies into a reassigned inspection's new assignee's database what
 * their replication job cannot bring them (proxy/reassignment-handover.ts says why): the
 * records others wrote on it, when it is reassigned and whenever one of them changes.
 *
 * Resumes from a checkpoint in the hub, so a restart misses nothing; the first run reads the
 * hub from the start, which hands over what was reassigned before this existed. Copies are
 * the same revisions, so two proxy processes doing the same work (several containers) only
 * repeat it. A failed round is retried from the same place, backing off while CouchDB is away.
 */
export function watchReassignments(options: HandoverWatchOptions): ChangesFeed {
  const { couch, logger } = options;
  const { url, name, password } = splitCredentials(options.couchAdminUrl);
  const headers = { authorization: basicAuthorization(name, password), accept: 'application/json' };
  const controller = new AbortController();
  const reader = hubReader(couch);
  // Whom each reassigned inspection's existing records went to last: its later changes need
  // not gather them again until it goes to someone else. Lost on restart, which gathers each once more.
  const handedTo = new LRUCache<string, string>({ max: 10_000 });
  const checkpoint = new Checkpoint(couch);
  const metrics = new HandoverMetrics(options.registry);

  const idleMs = options.idleMs ?? IDLE_MS;
  const readChanges = async (since: unknown): Promise<{ results: ChangeRow[]; last_seq: unknown }> => {
    // A timer of our own: Node 20 lets an `AbortSignal.timeout` that only `AbortSignal.any` holds be collected, unfired.
    const idle = new AbortController();
    const timer = setTimeout(() => idle.abort(new DOMException('no answer', 'TimeoutError')), idleMs * CUT_FACTOR);
    let answered = false;
    try {
      const signal = AbortSignal.any([controller.signal, idle.signal]);
      const query = `feed=longpoll&timeout=${idleMs}&limit=${BATCH}&include_docs=true&style=all_docs&since=${encodeURIComponent(String(since))}`;
      const response = await fetch(`${url}/${HUB_DB}/_changes?${query}`, { headers, signal });
      if (!response.ok) throw new Error(`${HUB_DB}/_changes answered ${response.status}`);
      answered = true;
      return (await response.json()) as { results: ChangeRow[]; last_seq: unknown };
    } catch (error) {
      // PouchDB Server answers an idle longpoll and then holds it, whatever `timeout` says: cut,
      // it is a quiet round. A server that never answered within the bound is a failure.
      if (answered && idle.signal.aborted && !controller.signal.aborted) return { results: [], last_seq: since };
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  const round = async (since: unknown): Promise<unknown> => {
    const { results, last_seq } = await readChanges(since);
    const changes = results.flatMap((row): HubChange[] =>
      row.doc ? [{ doc: row.doc, revs: row.changes.map((change) => change.rev) }] : [],
    );
    const { handovers, gathered } = await planHandovers(changes, reader, handedTo);
    for (const handover of handovers) {
      const written = await handOver(couch, handover, (id, reason) => {
        metrics.refused.inc();
        logger.error({ id, assignee: handover.assignee, reason }, 'reassignment handover: a copy was refused');
      });
      if (written) metrics.copied.inc(written);
      if (written !== 0) logger.info({ assignee: handover.assignee, documents: handover.leaves.size, written }, 'reassignment handover');
    }
    for (const [inspectionId, assignee] of gathered) handedTo.set(inspectionId, assignee);
    if (results.length) await checkpoint.save(last_seq);
    // Read to the end of the hub's changes (or waited on it quietly): the handover keeps up.
    if (results.length < BATCH) metrics.lastRound.setToCurrentTime();
    logger.debug({ since, changes: results.length, handovers: handovers.length }, 'reassignment handover round');
    return last_seq;
  };

  void (async () => {
    let since: unknown = null;
    let delay = RETRY_MS;
    while (!controller.signal.aborted) {
      try {
        since ??= await checkpoint.read();
        since = await round(since);
        delay = RETRY_MS;
      } catch (error) {
        if (controller.signal.aborted) return;
        metrics.failedRounds.inc();
        logger.warn({ error: (error as Error).message }, 'reassignment handover failed; retrying');
        await sleep(delay, undefined, { signal: controller.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
  })();
  return { stop: () => controller.abort() };
}

interface ChangeRow {
  seq: unknown;
  id: string;
  changes: { rev: string }[];
  doc?: HubRecord;
}

/** The hub's `_local` record of the last sequence handed over. */
class Checkpoint {
  private rev: string | undefined;

  constructor(private readonly couch: CouchAdmin) {}

  async read(): Promise<unknown> {
    try {
      const doc = (await this.couch.use(HUB_DB).get(CHECKPOINT_ID)) as unknown as { _rev: string; seq: unknown };
      this.rev = doc._rev;
      return doc.seq;
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
  }

  async save(seq: unknown): Promise<void> {
    const write = () => this.couch.use(HUB_DB).insert({ _id: CHECKPOINT_ID, _rev: this.rev, seq } as never);
    try {
      this.rev = (await write()).rev;
    } catch (error) {
      // Another proxy process moved it: take its revision and write ours.
      if (!isConflict(error)) throw error;
      await this.read();
      this.rev = (await write()).rev;
    }
  }
}
