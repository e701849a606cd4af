import { isNotFound, openRevs, type CouchAdmin } from '../couch/couch-admin';
import { HUB_DB } from '../domain/db-names';
import { inspectionOwner } from '../domain/inspection-owner';
import { userDbName } from '../domain/user-db-name';
import type { Handover, HubReader, HubRecord } from './record-handover';
import { copyRevisions } from './revision-copy';

/** Defects one inspection may have, at most, as the handover reads them. */
const DEFECTS_PER_INSPECTION = 10_000;

/** Reads the hub as server admin for the record handover. */
export function hubReader(couch: CouchAdmin): HubReader {
  const hub = couch.use<HubRecord>(HUB_DB);
  const docs = async (ids: string[]) => {
    const { rows } = await hub.fetch({ keys: ids }, { conflicts: true });
    return rows.flatMap((row) => ('doc' in row && row.doc ? [row.doc as HubRecord] : []));
  };
  return {
    docs,
    async defectsOf(inspectionId) {
      // The `inspection` Mango index (domain/mango-indexes.ts) serves it.
      const found = await hub.find({ selector: { inspectionId }, fields: ['_id'], limit: DEFECTS_PER_INSPECTION });
      return found.docs.length ? docs(found.docs.map((doc) => doc._id)) : [];
    },
    async range(startkey, endkey) {
      const { rows } = await hub.list({ startkey, endkey, include_docs: true, conflicts: true });
      return rows.flatMap((row) => (row.doc ? [row.doc as HubRecord] : []));
    },
    async ancestors(id, rev) {
      const { _revisions } = (await hub.get(id, { rev, revs: true })) as { _revisions?: { start: number; ids: string[] } };
      const revs = (_revisions?.ids ?? []).slice(1).map((hash, i) => `${_revisions!.start - 1 - i}-${hash}`);
      const found = await openRevs<HubRecord>(couch, HUB_DB, id, revs);
      return found.sort((a, b) => parseInt(b._rev, 10) - parseInt(a._rev, 10));
    },
  };
}

/**
 * Whether `user`'s database holds the inspection as someone else's: the one it was taken from
 * has been told. Not held yet is not told: their job may be copying the revision that gave it
 * to them right now, and nothing would tell them later.
 */
export async function toldItWentElsewhere(couch: CouchAdmin, user: string, inspectionId: string): Promise<boolean> {
  try {
    return inspectionOwner(await couch.use<HubRecord>(userDbName(user)).get(inspectionId)) !== user;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Answers that retrying cannot change: the handover reports them and goes on, not to stall every later one. */
const PERMANENT = [400, 413, 415];

/**
 * Copies a handover's documents from the hub into its user's database: how many revisions
 * it wrote, or null when the user has none (a removed user). A request the
 * server turns down for good counts every document as refused.
 */
export async function handOver(
  couch: CouchAdmin,
  handover: Handover,
  refused: (id: string, reason: string) => void,
): Promise<number | null> {
  try {
    return await copyRevisions(couch, HUB_DB, userDbName(handover.to), handover.leaves, refused);
  } catch (error) {
    if (isNotFound(error)) return null;
    const { statusCode, message } = error as { statusCode?: number; message: string };
    if (!PERMANENT.includes(statusCode ?? 0)) throw error;
    for (const id of handover.leaves.keys()) refused(id, message);
    return 0;
  }
}
