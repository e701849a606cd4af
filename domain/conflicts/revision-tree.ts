import type { FetchRevision, LeafDoc, StoredDoc } from './stored-doc';

/** Splits `N-id` into its position and id. */
export function parseRev(rev: string): { position: number; id: string } {
  const match = /^(\d+)-(.+)$/.exec(rev);
  if (!match) throw new Error(`not a revision: ${rev}`);
  return { position: Number(match[1]), id: match[2] };
}

/**
 * Leaves in CouchDB's winner order: live before deleted, then the longer history, then the
 * greater revision id. CouchDB and PouchDB both pick the first one as the winning revision.
 */
export function winnerFirst<T extends StoredDoc>(leaves: readonly T[]): T[] {
  return [...leaves].sort((a, b) => {
    if (Boolean(a._deleted) !== Boolean(b._deleted)) return a._deleted ? 1 : -1;
    const left = parseRev(a._rev);
    const right = parseRev(b._rev);
    if (left.position !== right.position) return right.position - left.position;
    return left.id < right.id ? 1 : left.id > right.id ? -1 : 0;
  });
}

/** The revisions of a leaf's history as `N-id` strings, the leaf itself first. */
function historyRevs(leaf: LeafDoc): string[] {
  const { start, ids } = leaf._revisions;
  return ids.map((id, i) => `${start - i}-${id}`);
}

/**
 * The newest revision every leaf has taken in: one in its history, or one that a merge it holds
 * names in `mergedFrom`. Null when they share none (histories cut short by `revs_limit`, or
 * separate roots). A device that kept editing its version after another merged that version has
 * it as their base, not the older ancestor of the merged conflict: against that one, a value it
 * set back to the old one passed for no change and was lost to the merge, unasked.
 */
export function commonAncestorRev(leaves: readonly LeafDoc[]): string | null {
  if (leaves.length === 0) return null;
  const [first, ...others] = leaves.map(takenInRevs);
  const shared = [...first].filter((rev) => others.every((revs) => revs.has(rev)));
  // Two at one position only when every leaf merged both: rival resolutions, merged without a base.
  return winnerFirst(shared.map((rev) => ({ _id: '', _rev: rev })))[0]?._rev ?? null;
}

/** A leaf's history and the revisions a merge in it took in. */
function takenInRevs(leaf: LeafDoc): Set<string> {
  const from = leaf['mergedFrom'];
  const merged = Array.isArray(from) ? from.filter((rev): rev is string => typeof rev === 'string' && /^\d+-./.test(rev)) : [];
  return new Set([...historyRevs(leaf), ...merged]);
}

/** The common ancestor's body, or null when there is none or it is no longer stored (compaction). */
export async function fetchCommonAncestor(leaves: readonly LeafDoc[], fetchRevision: FetchRevision): Promise<StoredDoc | null> {
  const rev = commonAncestorRev(leaves);
  return rev === null ? null : fetchRevision(rev, { attachments: false });
}

/**
 * The leaves of one document's revision tree as two copies of it tell them (a device's and the
 * server's, each read with `{open_revs: 'all', revs: true}`): every leaf of either, once, but
 * none that the other copy has moved on from (a revision in another leaf's history).
 */
export function mergedLeaves<T extends LeafDoc>(...copies: readonly (readonly T[])[]): T[] {
  const byRev = new Map<string, T>();
  for (const leaf of copies.flat()) byRev.set(leaf._rev, leaf);
  const leaves = [...byRev.values()];
  const ancestors = new Set(leaves.flatMap(ancestorRevs));
  return leaves.filter((leaf) => !ancestors.has(leaf._rev));
}

/** The revisions a leaf descends from, newest first (its parent first), as `N-id` strings. */
export function ancestorRevs(leaf: LeafDoc): string[] {
  return historyRevs(leaf).slice(1);
}
