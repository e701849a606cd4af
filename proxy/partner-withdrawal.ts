import { isSharedWith } from '../domain/partner-share';

/** A document of the hub as the withdrawal reads it. */
export interface SharedDoc {
  _id: string;
  _rev: string;
  _deleted?: boolean;
  _conflicts?: string[];
  /** With `revs=true`: the revision's ancestry, newest first. */
  _revisions?: { start: number; ids: string[] };
  [field: string]: unknown;
}

/** A document in a partner's database: its live leaf revisions (more than one if the hub had a conflict). */
export interface PartnerCopy {
  id: string;
  leaves: string[];
}

export interface Tombstone {
  _id: string;
  _rev: string;
  _deleted: true;
}

/** A partner database's live document as a copy to check; design documents are the database's own, never withdrawn. */
export function copyOf(doc: SharedDoc): PartnerCopy | null {
  if (doc._deleted || doc._id.startsWith('_design/')) return null;
  return { id: doc._id, leaves: [doc._rev, ...(doc._conflicts ?? [])] };
}

/**
 * What to delete from a partner's database: every live leaf of each copy whose document the
 * hub no longer holds as shared with the partner (`hub` has the hub's current revision of
 * each copy's id, or null when the hub has none or deleted it). An undone approval, a
 * reopened inspection, a partner taken off the list: the copy goes, on the partner's own
 * server too at their next pull. Of a copy still shared, the leaves no live leaf the hub
 * shares is or descends from (`hubLeaves`: every leaf the hub holds of the id, with
 * `_revisions`): a losing revision the hub does not share (PouchDB Server's job copies every
 * leaf of a document whose winner matches), or one the hub deleted or edited since (a conflict
 * resolved), which no job tells the partner about. Ids missing from `hubLeaves` keep their leaves.
 *
 * A deletion is safe against the replication job: if the hub shares the document again, the
 * job copies that revision, and CouchDB always prefers a live leaf to a deleted one.
 */
export function planWithdrawals(
  partner: string,
  copies: readonly PartnerCopy[],
  hub: ReadonlyMap<string, SharedDoc | null>,
  hubLeaves: ReadonlyMap<string, readonly SharedDoc[]> = new Map(),
): Tombstone[] {
  return copies.flatMap((copy) => {
    const current = hub.get(copy.id);
    // Not asked (undefined): nothing known.
    if (current === undefined) return [];
    const leaves = hubLeaves.get(copy.id);
    const stillShared = (rev: string) => !leaves || leaves.some((leaf) => sharedNow(leaf, partner) && lineOf(leaf).includes(rev));
    const withdrawn = sharedNow(current, partner) ? copy.leaves.filter((rev) => !stillShared(rev)) : copy.leaves;
    return withdrawn.map((rev): Tombstone => ({ _id: copy.id, _rev: rev, _deleted: true }));
  });
}

/** Whether the hub's current revision of a document (null: none) shares it with the partner. */
export function sharedNow(current: SharedDoc | null, partner: string): boolean {
  return !!current && !current._deleted && isSharedWith(current, partner);
}

/** A leaf's revision and its ancestors (a copy the job has yet to bring up to it is one of them). */
function lineOf(leaf: SharedDoc): string[] {
  const revisions = leaf._revisions;
  return revisions ? revisions.ids.map((hash, i) => `${revisions.start - i}-${hash}`) : [leaf._rev];
}
