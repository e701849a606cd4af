/** Finding documents whose leaves still need merging, and merging one against its stored ancestor. */
import { atMostAtOnce } from '../at-most-at-once';
import { isResolutionTombstone } from './conflict-resolution';
import { isNotFound, revisionFetcher, type ConflictDb } from './conflict-db';
import { ancestorRevs, commonAncestorRev, fetchCommonAncestor, winnerFirst } from './revision-tree';
import { isLeafDoc, type LeafDoc } from './stored-doc';
import { mergeLeaves, type MergeResult } from './three-way-merge';

export interface ConflictedDoc {
  id: string;
  /**
   * Leaves to merge, the winning revision first: every live leaf plus deletions made by users
   * (deleted vs edited is a conflict CouchDB does not list in `_conflicts`) or by a resolution
   * (`endsLosingBranch`). Tombstones that only ended a losing branch are left out.
   */
  leaves: LeafDoc[];
}

/**
 * Ids of documents with more than one leaf, from a `changes({style: 'all_docs'})` feed (PouchDB
 * or CouchDB) — unlike `_conflicts`, that also catches deleted-vs-edited documents.
 */
export function conflictCandidateIds(results: readonly { id: string; changes: readonly { rev: string }[] }[]): string[] {
  return results.filter((result) => result.changes.length > 1).map((result) => result.id);
}

/** Leaf reads in flight at once: overlapping them is several times faster than one by one, in IndexedDB as over HTTP. */
const CONCURRENT_READS = 8;

/** The documents among `ids` that have leaves to merge, in the order of `ids`; ids of missing documents are skipped. */
export async function findConflictedDocs(db: ConflictDb, ids: readonly string[]): Promise<ConflictedDoc[]> {
  const leavesById = new Array<LeafDoc[]>(ids.length);
  await atMostAtOnce(CONCURRENT_READS, ids.length, async (index) => {
    leavesById[index] = (await fetchLeaves(db, ids[index])).filter((leaf) => !endsLosingBranch(leaf));
  });
  return ids.flatMap((id, index) => {
    const leaves = leavesById[index];
    return leaves.length > 1 && leaves.some((leaf) => !leaf._deleted) ? [{ id, leaves: winnerFirst(leaves) }] : [];
  });
}

/**
 * A resolution's tombstone on a leaf other than the one it was written for (`mergedInto`): it
 * only ends that branch. The one on that leaf itself deletes the document (a deletion chosen),
 * and counts as a user's deletion does: against another device's edit or resolution, a conflict.
 */
function endsLosingBranch(leaf: LeafDoc): boolean {
  return isResolutionTombstone(leaf) && leaf['mergedInto'] !== ancestorRevs(leaf)[0];
}

/**
 * Merges the leaves against their common ancestor, two-way if its body is no longer stored, or
 * if they are rival resolutions.
 */
export async function mergeConflictedDoc(db: ConflictDb, doc: ConflictedDoc): Promise<MergeResult> {
  const ancestor = rivalResolutions(doc.leaves) ? null : await fetchCommonAncestor(doc.leaves, revisionFetcher(db, doc.id));
  return mergeLeaves(doc.leaves, ancestor);
}

/**
 * Whether several leaves resolve the conflict of their common ancestor (it is in their
 * `mergedFrom`, or a deletion's `mergedInto`): the same conflict resolved on two devices at once.
 * Every value of a resolution is a choice, also one it kept from that ancestor, so against it one
 * device's choices would pass for no change and the other's would win unasked; each difference
 * between them is for a person.
 */
export function rivalResolutions(leaves: readonly LeafDoc[]): boolean {
  const ancestorRev = commonAncestorRev(leaves);
  const resolving = leaves.filter((leaf) => {
    const from = leaf['mergedFrom'];
    return leaf._deleted ? leaf['mergedInto'] === ancestorRev : Array.isArray(from) && from.includes(ancestorRev);
  });
  return resolving.length > 1;
}

/** Every leaf of `id` in `db`, with its history; none when `db` does not have it. */
export async function fetchLeaves(db: ConflictDb, id: string): Promise<LeafDoc[]> {
  try {
    const rows = await db.get(id, { open_revs: 'all', revs: true });
    return rows.flatMap((row) => {
      if (!('ok' in row)) return [];
      if (!isLeafDoc(row.ok)) throw new Error(`${id}: leaf without _id, _rev or _revisions`);
      return [row.ok];
    });
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}
