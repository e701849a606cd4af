import { Database } from '../core/pouchdb';

/** `purge` is on PouchDB's `indexeddb` adapter but not in its typings. */
type Purgeable = Database & { purge(docId: string, rev: string): Promise<unknown> };

/** A document's leaves (a conflicted one has several; deleted leaves count too); none when it is not here. */
export async function leavesOf(db: Database, id: string): Promise<string[]> {
  try {
    const leaves = (await db.get(id, { open_revs: 'all' })) as { ok?: { _rev: string } }[];
    return leaves.flatMap((leaf) => (leaf.ok ? [leaf.ok._rev] : []));
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    return [];
  }
}

/**
 * Takes a document off this device, as if it had never been pulled: PouchDB's local purge of
 * each of `revs` (by default its leaves now), and with them the whole tree. Nothing replicates,
 * and nothing appears on the changes feed. A caller that judged the document free to go passes
 * the leaves it read before judging: a revision written since (an edit here, a pull) is not
 * one of them, and stays. Resolves whether the document is gone; false when it changed since
 * `revs` were read.
 */
export async function purgeDoc(db: Database, id: string, revs?: readonly string[]): Promise<boolean> {
  for (const rev of revs ?? (await leavesOf(db, id))) {
    try {
      await (db as Purgeable).purge(id, rev);
    } catch (error) {
      // A revision that is no longer a leaf is refused with a bare message (not an Error); a
      // document already gone, with a 404. Either way, what is left says whether it changed.
      if (typeof error !== 'string' && (error as { status?: number }).status !== 404) throw error;
      break;
    }
  }
  return (await leavesOf(db, id)).length === 0;
}
