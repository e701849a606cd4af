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
 * The newest revision every leaf descends from, or null when the histories share none
 * (they were cut short by `revs_limit`, or the branches have separate roots).
 */
export function commonAncestorRev(leaves: readonly LeafDoc[]): string | null {
  if (leaves.length === 0) return null;
  const [first, ...others] = leaves.map(historyRevs);
  const otherSets = others.map((revs) => new Set(revs));
  return first.find((rev) => otherSets.every((revs) => revs.has(rev))) ?? null;
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
