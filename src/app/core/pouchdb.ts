import PouchDB from 'pouchdb-browser';
import IndexedDbAdapter from 'pouchdb-adapter-indexeddb';
import PouchFind from 'pouchdb-find';

// Registered once here: the `indexeddb` adapter (purge, native Mango indexes) for the user's
// database, `idb` (built in) only to read what older releases stored; Mango queries everywhere.
PouchDB.plugin(IndexedDbAdapter);
PouchDB.plugin(PouchFind);

export { PouchDB };
/** What PouchDB puts before a database's name for its IndexedDB database (and its cross-tab marker in localStorage). */
export const IDB_PREFIX = '_pouch_';
export type Database = PouchDB.Database<object>;

/**
 * The names of this origin's IndexedDB databases. databases() is in every browser the app
 * supports (Chromium 71, Safari 14, Firefox 126); elsewhere, none.
 */
export async function idbDatabaseNames(): Promise<string[]> {
  if (!indexedDB.databases) return [];
  return (await indexedDB.databases()).map((db) => db.name ?? '');
}
