import { Database } from '../core/pouchdb';

/** `purge` is on PouchDB's `indexeddb` adapter but not in its typings. */
type Purgeable = Database & { purge(docId: string, rev: string): Promise<unknown> };

/**
 * Takes a document off this device, as if it had never been pulled: PouchDB's local purge of
 * every leaf (a conflicted one has several; deleted leaves count too), and with them the whole
 * tree. Nothing replicates, and nothing appears on the changes feed.
 */
export async function purgeDoc(db: Database, id: string): Promise<void> {
  const leaves = await db.get(id, { open_revs: 'all' }).catch(() => []);
  for (const leaf of leaves as { ok?: { _rev: string } }[]) {
    if (leaf.ok) await (db as Purgeable).purge(id, leaf.ok._rev);
  }
}
