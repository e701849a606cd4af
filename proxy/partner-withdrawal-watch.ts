import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { isNotFound, openRevs, type CouchAdmin } from '../couch/couch-admin';
import { HUB_DB, PARTNER_DB_PREFIX, partnerOfDbName } from '../domain/db-names';
import type { ChangesFeed } from './changes-feed';
import { coalescedCompactions } from './coalesced-compactions';
import { followChanges, type ChangeRow, type ChangesHandler } from './changes-follower';
import { hubReader } from './hub-records';
import { PartnerHoldings } from './partner-holdings';
import type { HubReader } from './record-handover';
import { copyOf, planWithdrawals, sharedNow, type PartnerCopy, type SharedDoc, type Tombstone } from './partner-withdrawal';

/** How far the follower of a partner database got, in that database. */
const WITHDRAWAL_CHECKPOINT_ID = '_local/fieldbook-partner-withdrawal';
/**
 * How old the list of partner databases may be. A partner database found later loses nothing:
 * its follower's first run reads it from the start and checks every copy against the hub.
 */
const PARTNER_LIST_MS = 30_000;
/** How long a compaction may run before its round fails and is retried (which asks again; CouchDB carries on with the one under way). */
const COMPACTION_MS = 10 * 60_000;
/** The longest pause between two looks at a compaction under way. */
const COMPACTION_LOOK_MS = 2_000;

export interface PartnerWithdrawalOptions {
  couch: CouchAdmin;
  couchAdminUrl: string;
  logger: Logger;
  /** Where its metrics go: the proxy's registry, or a cluster primary's. */
  registry: Registry;
  /** How long one read of a partner database waits for a change (default 25 s). */
  idleMs?: number;
}

export interface PartnerWithdrawal extends ChangesFeed {
  /** The hub's side: it hears the hub's changes from the hub work's follower (hub-work.ts). */
  hub: ChangesHandler<SharedDoc>;
}

/**
 * Withdraws from partners' databases what the hub no longer shares with them
 * (proxy/partner-withdrawal.ts): a partner job's selector lets a document through while it
 * matches and is blind to it once it stops, so without this an undone approval stayed with
 * the partner for good.
 *
 * Two sides, because the job is a process of its own: the hub's changes (a document stops
 * being shared: is a copy of it with a partner?), which the hub work's follower brings to
 * `hub`, and each partner database's changes (a copy arrives: does the hub still share it?),
 * followed here. The second catches the job copying an approval it read just before the undo.
 * Each side checks both databases as they are after its trigger, the hub last (a batch of the
 * hub's changes may be old by then: undone, and copied again), so whichever comes last sees
 * the final state; a deletion that lost a race to the job (409) is left to the job's copy,
 * which is a change of the partner database and checked again.
 *
 * A partner database is compacted after a withdrawal: until then the partner could still read
 * the withdrawn revision by its id (`?rev=`, named in `_changes` and `revs=true`). Its follower
 * does it when it reads the deletions, whichever side wrote them, and moves its checkpoint
 * past them once the compaction is done: a restart or a failure before compacts again.
 */
export function watchPartnerShares(options: PartnerWithdrawalOptions): PartnerWithdrawal {
  const { couch, logger } = options;
  const reader = hubReader(couch);
  const withdrawn = new Counter({
    name: 'fieldbook_partner_withdrawals_total',
    help: "Revisions deleted from partners' databases because the hub no longer shares them.",
    registers: [options.registry],
  });
  const failedRounds = new Counter({
    name: 'fieldbook_partner_withdrawal_failed_rounds_total',
    help: 'Rounds of the partner withdrawal that failed and were retried (CouchDB unreachable, an error).',
    registers: [options.registry],
  });
  const docsOf = (rows: ChangeRow<SharedDoc>[]) => rows.flatMap((row) => (row.doc ? [row.doc] : []));
  const compactions = coalescedCompactions((db, signal) => compact(couch, db, signal));

  /**
   * Withdraws those of a partner's copies that the hub, read after them, no longer shares with the
   * partner, losing revisions included; how many revisions it deleted.
   */
  const withdraw = async (db: string, partner: string, copies: PartnerCopy[]) => {
    if (!copies.length) return 0;
    const ids = copies.map((copy) => copy.id);
    const hub = await hubDocs(reader, ids);
    const tombstones = planWithdrawals(partner, copies, hub, await hubLeaves(couch, partner, copies, hub));
    if (!tombstones.length) return 0;
    const written = await deleteLeaves(couch, db, tombstones, (id, reason) =>
      logger.error({ partner, id, reason }, 'partner withdrawal: a deletion was refused'),
    );
    withdrawn.inc(written.length);
    if (written.length) logger.info({ partner, ids: [...new Set(written)] }, 'withdrawn from a partner: no longer shared');
    return written.length;
  };

  const partners = new Map<string, { feed: ChangesFeed; holdings: PartnerHoldings }>();
  let stopped = false;
  const followPartner = (db: string, partner: string) => {
    const holdings = new PartnerHoldings(() => liveIds(couch, db));
    const feed = followChanges<SharedDoc>({
      couch,
      couchAdminUrl: options.couchAdminUrl,
      db,
      checkpointId: WITHDRAWAL_CHECKPOINT_ID,
      purpose: 'partner withdrawal',
      logger,
      idleMs: options.idleMs,
      failed: () => failedRounds.inc(),
      async handle(rows) {
        const docs = docsOf(rows);
        holdings.note(docs);
        const copies = docs.flatMap((doc) => copyOf(doc) ?? []);
        const withdrew = await withdraw(db, partner, copies);
        // Deletions read (withdrawn, here or by the hub side, losing revisions too), or withdrawn here.
        // The checkpoint passes them once their bodies are gone.
        if (withdrew || rows.some(deletionIn)) await compactions.request(db);
      },
    });
    return { feed, holdings };
  };
  let listing: Promise<void> | null = null;
  let listedAt = -Infinity;
  const refreshPartners = () => {
    if (performance.now() - listedAt < PARTNER_LIST_MS) return Promise.resolve();
    return (listing ??= partnerDbs(couch)
      .then((dbs) => {
        listedAt = performance.now();
        // A listing that answers after stop() starts nothing.
        if (stopped) return;
        for (const db of dbs) if (!partners.has(db)) partners.set(db, followPartner(db, partnerOfDbName(db)!));
        for (const [db, { feed }] of partners) {
          if (dbs.includes(db)) continue;
          feed.stop();
          partners.delete(db);
        }
      })
      .finally(() => (listing = null)));
  };

  return {
    hub: {
      async handle(rows) {
        const docs = docsOf(rows);
        // A document with more than one leaf may have lost one the partner holds (a conflict resolved).
        const branched = new Set(rows.flatMap((row) => (row.changes.length > 1 ? [row.id] : [])));
        await refreshPartners();
        for (const [db, { feed, holdings }] of partners) {
          const partner = partnerOfDbName(db)!;
          const unshared = docs
            .filter((doc) => !doc._id.startsWith('_design/') && (!sharedNow(doc, partner) || branched.has(doc._id)))
            .map((doc) => doc._id);
          try {
            // The batch only picks what to look at: the hub may share it again by now.
            const ids = await holdings.mayHold(unshared);
            if (ids.length) await withdraw(db, partner, await partnerCopies(couch, db, ids));
          } catch (error) {
            if (!isNotFound(error)) throw error;
            // Deleted since it was listed: it holds nothing to withdraw, and failing the batch
            // would hold up the handover too. Listed again (and followed from the start) if it returns.
            feed.stop();
            partners.delete(db);
            logger.warn({ db }, 'partner withdrawal: a partner database is gone');
          }
        }
      },
      // Also while the hub is quiet: a partner added, or a restart between an undo and the job's late copy.
      caughtUp: () =>
        void refreshPartners().catch((error: Error) =>
          logger.warn({ error: error.message }, 'partner withdrawal: could not list partners'),
        ),
      failed: () => failedRounds.inc(),
    },
    stop() {
      stopped = true;
      compactions.stop();
      for (const { feed } of partners.values()) feed.stop();
    },
  };
}

/** The partners' databases (`_all_dbs` by range on CouchDB; PouchDB Server ignores it and lists them all). */
async function partnerDbs(couch: CouchAdmin): Promise<string[]> {
  const dbs = (await couch.request({
    path: '_all_dbs',
    qs: { startkey: PARTNER_DB_PREFIX, endkey: `${PARTNER_DB_PREFIX}\ufff0` },
  })) as string[];
  return dbs.filter((db) => partnerOfDbName(db) !== null);
}

/** The ids of a database's live documents. */
async function liveIds(couch: CouchAdmin, db: string): Promise<string[]> {
  const { rows } = await couch.use(db).list();
  return rows.map((row) => row.id);
}

/** The hub's current revision of each id: null when it has none, or a deletion. */
async function hubDocs(reader: HubReader, ids: string[]): Promise<Map<string, SharedDoc | null>> {
  const found = new Map((await reader.docs(ids)).map((doc) => [doc._id, doc as SharedDoc]));
  return new Map(ids.map((id) => [id, found.get(id) ?? null]));
}

/**
 * Every leaf the hub holds, with its ancestry, of each copy the hub still shares that holds a
 * leaf other than the hub's current revision (a conflict, or a copy the job has yet to update).
 */
async function hubLeaves(
  couch: CouchAdmin,
  partner: string,
  copies: PartnerCopy[],
  hub: Map<string, SharedDoc | null>,
): Promise<Map<string, SharedDoc[]>> {
  const leaves = new Map<string, SharedDoc[]>();
  for (const copy of copies) {
    const current = hub.get(copy.id) ?? null;
    if (!sharedNow(current, partner) || copy.leaves.every((rev) => rev === current!._rev)) continue;
    leaves.set(copy.id, await openRevs<SharedDoc>(couch, HUB_DB, copy.id, 'all', { history: true }));
  }
  return leaves;
}

/** A change of a partner database that holds a deletion: a deleted document, or a deleted leaf beside its live ones. */
function deletionIn(row: ChangeRow<SharedDoc>): boolean {
  if (!row.doc || row.doc._id.startsWith('_design/')) return false;
  return !!row.doc._deleted || row.changes.length > 1 + (row.doc._conflicts?.length ?? 0);
}

/** The live copies a partner's database holds of these ids. */
async function partnerCopies(couch: CouchAdmin, db: string, ids: string[]): Promise<PartnerCopy[]> {
  const { rows } = await couch.use<SharedDoc>(db).fetch({ keys: ids }, { conflicts: true });
  return rows.flatMap((row) => ('doc' in row && row.doc ? (copyOf(row.doc as SharedDoc) ?? []) : []));
}

/**
 * Compacts a database, which drops the bodies of revisions that are no longer leaves, and
 * settles once it is done: CouchDB answers 202 at once and compacts in the background, saying
 * `compact_running` until it is done; PouchDB Server answers when done and never says it.
 */
async function compact(couch: CouchAdmin, db: string, signal: AbortSignal): Promise<void> {
  await couch.request({ method: 'POST', db, path: '_compact' });
  const deadline = performance.now() + COMPACTION_MS;
  for (let pause = 50; (await couch.db.get(db)).compact_running; pause = Math.min(pause * 2, COMPACTION_LOOK_MS)) {
    if (performance.now() > deadline) throw new Error(`the compaction of ${db} still runs after ${COMPACTION_MS / 1000} s`);
    await sleep(pause, undefined, { signal });
  }
}

/**
 * Deletes these leaves; the ids deleted. A leaf another writer moved on meanwhile (409) is
 * skipped: that write is a change of the database, checked in its turn. Leaves of one
 * document go in separate requests, so no request names a document twice.
 */
async function deleteLeaves(
  couch: CouchAdmin,
  db: string,
  tombstones: Tombstone[],
  refused: (id: string, reason: string) => void,
): Promise<string[]> {
  const written: string[] = [];
  const rounds: Tombstone[][] = [];
  const seen = new Map<string, number>();
  for (const tombstone of tombstones) {
    const round = seen.get(tombstone._id) ?? 0;
    seen.set(tombstone._id, round + 1);
    (rounds[round] ??= []).push(tombstone);
  }
  for (const docs of rounds) {
    const results = await couch.use(db).bulk({ docs });
    for (const result of results) {
      if (!result.error) written.push(result.id!);
      // Anything else would be refused again: reported, not retried for ever.
      else if (result.error !== 'conflict') refused(result.id!, result.reason ?? result.error);
    }
  }
  return written;
}
