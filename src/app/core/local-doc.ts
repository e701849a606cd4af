import { Database } from './pouchdb';

/**
 * Writes a `_local` document that every open tab keeps (ledgers, indexes): on a conflict
 * another tab wrote first, so take its revision and write ours over it. Returns the new revision.
 */
export async function overwriteLocalDoc<T extends { _id: string; _rev?: string }>(db: Database, doc: T): Promise<string | undefined> {
  let rev = doc._rev;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return (await db.put({ ...doc, _rev: rev })).rev;
    } catch (error) {
      if ((error as { status?: number }).status !== 409) throw error;
      rev = (await db.get(doc._id))._rev;
    }
  }
  return rev;
}
