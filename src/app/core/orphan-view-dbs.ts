import { IDB_PREFIX } from './pouchdb';

/** Where the idb adapter keeps the index ("view") databases it makes for a database. */
const VIEW_DB_MARK = '-mrview-';

/**
 * Deletes the index databases of `prefix`'s local databases whose main database is gone, among
 * `names` (idbDatabaseNames).
 *
 * PouchDB deletes a database's index databases with it, but a query that was already under
 * way when the database was destroyed (logout) can create its index database just after:
 * that copy of the user's data would stay behind for the next user of the browser.
 */
export async function deleteOrphanViewDbs(prefix: string, names: readonly string[]): Promise<void> {
  const present = new Set(names);
  const orphans = names.filter((name) => {
    const mark = name.indexOf(VIEW_DB_MARK);
    return name.startsWith(IDB_PREFIX + prefix) && mark > 0 && !present.has(name.slice(0, mark));
  });
  await Promise.all(orphans.map(deleteDatabase));
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
    // Another tab still has it open: it goes once that tab closes it.
    request.onblocked = () => resolve();
  });
}
