import { Database } from '../core/pouchdb';

type Callback = (error: unknown, result?: unknown) => void;

/**
 * Runs `arrive` once, just before the first `bulkDocs` of `db` that writes the document `id`: a
 * change replicating in while a save is under way. Writes made in `arrive` go through. Every
 * other call passes as it came, in either form: PouchDB's own `put` and `post` (the push
 * ledger's, the drafts') call it with `{docs}` and a callback, which is answered.
 * Returns whether it has run.
 */
export function arrivingBeforeWriteOf(db: Database, id: string, arrive: () => Promise<unknown>): () => boolean {
  const write = db.bulkDocs.bind(db) as (...args: unknown[]) => Promise<unknown>;
  let arrived = false;
  spyOn(db, 'bulkDocs').and.callFake(((docs: object[] | { docs: object[] }, ...rest: unknown[]) => {
    const callback = typeof rest[rest.length - 1] === 'function' ? (rest.pop() as Callback) : null;
    const written = (Array.isArray(docs) ? docs : docs.docs) as { _id?: string }[];
    const done = (async () => {
      if (!arrived && written.some((doc) => doc._id === id)) {
        arrived = true;
        await arrive();
      }
      return write(docs, ...rest);
    })();
    if (!callback) return done;
    done.then(
      (result) => callback(null, result),
      (error: unknown) => callback(error),
    );
    return undefined;
  }) as never);
  return () => arrived;
}
