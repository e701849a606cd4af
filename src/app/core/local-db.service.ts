import { Injectable, InjectionToken, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { BehaviorSubject, Observable } from 'rxjs';
import { MANGO_INDEXES, RETIRED_MANGO_INDEXES, isListedIndex, type MangoIndex } from '../../../domain/mango-indexes';
import { moveFromIdbStore } from './idb-store-move';
import { deleteOrphanViewDbs } from './orphan-view-dbs';
import { Database, IDB_PREFIX, PouchDB, idbDatabaseNames } from './pouchdb';

/** Prefix of local database names; tests give each run its own. */
export const LOCAL_DB_PREFIX = new InjectionToken<string>('LOCAL_DB_PREFIX', {
  factory: () => 'fieldbook-',
});

/**
 * The user's database. Named apart from the `idb` adapter's one older releases made
 * (`<prefix><userDb>`, moved over on first open): both adapters would open the same IndexedDB name.
 */
export function localDbName(prefix: string, userDb: string): string {
  return `${prefix}${userDb}~v2`;
}

/**
 * The current user's local PouchDB (IndexedDB), one database per user so a second user
 * on the same browser never sees the first's documents.
 */
@Injectable({ providedIn: 'root' })
export class LocalDbService {
  private readonly prefix = inject(LOCAL_DB_PREFIX);
  // A subject, not a signal: a feed must start the moment a database opens, not after change detection.
  private readonly current$ = new BehaviorSubject<Database | null>(null);

  readonly db = toSignal(this.current$, { requireSync: true });
  /** The open database as it changes (login, logout, switching users). */
  readonly db$: Observable<Database | null> = this.current$.asObservable();

  async open(userDb: string): Promise<Database> {
    const name = localDbName(this.prefix, userDb);
    const open = this.current$.value;
    if (open?.name === name) return open;
    await this.close();
    const db = new PouchDB<object>(name, { adapter: 'indexeddb', auto_compaction: true });
    // Listing the origin's databases asks the browser process (40-80 ms of every reload
    // here), so it runs while the database opens (info() waits for that). One listing serves
    // both: the sweep deletes only index databases, never the old store.
    const [idbNames] = await Promise.all([idbDatabaseNames(), db.info()]);
    await deleteOrphanViewDbs(this.prefix, idbNames);
    // Before the indexes: the old store brings its own index design documents.
    await moveFromIdbStore(this.prefix + userDb, db, idbNames);
    await ensureIndexes(db);
    this.current$.next(db);
    return db;
  }

  /** The open database; callers run only while a user is logged in. */
  require(): Database {
    const db = this.current$.value;
    if (!db) throw new Error('No local database is open');
    return db;
  }

  async close(): Promise<void> {
    const db = this.current$.value;
    if (!db) return;
    this.current$.next(null);
    await db.close();
  }

  /** Deletes the user's local data for good (logout). */
  async destroy(): Promise<void> {
    const db = this.current$.value;
    if (!db) return;
    this.current$.next(null);
    await db.destroy();
    // The indexeddb adapter (unlike idb) leaves its cross-tab change marker, named after the user's database.
    localStorage.removeItem(IDB_PREFIX + db.name);
    await deleteOrphanViewDbs(this.prefix, await idbDatabaseNames());
  }
}

/**
 * Creates the Mango indexes the database lacks and retires the old ones it has, from one read
 * of its index design documents: on a reload that read is all (each `createIndex` reads its
 * design document twice and opens a transaction even when the index exists, and the list
 * waits for this). The adapter builds the IndexedDB index of every design document each time
 * it opens the database, so a design document present means its index is there.
 */
async function ensureIndexes(db: Database): Promise<void> {
  const { indexes } = await db.getIndexes();
  const has = (index: MangoIndex) => isListedIndex(index, indexes);
  for (const index of RETIRED_MANGO_INDEXES.filter(has)) await retireIndex(db, index);
  for (const index of MANGO_INDEXES.filter((index) => !has(index))) {
    await db.createIndex({ index: { fields: index.fields, name: index.name, ddoc: index.ddoc } });
  }
}

/**
 * Deletes every live revision of a retired index's design document: this device's own and the
 * server's copy the pull brought (two leaves of one id; only the pull ever writes them to the
 * server's side, never the push). The adapter keeps an IndexedDB index while any live design
 * document declares it, and drops it when it next opens the database.
 */
async function retireIndex(db: Database, { ddoc }: MangoIndex): Promise<void> {
  const doc = await db.get(`_design/${ddoc}`, { conflicts: true });
  for (const rev of [doc._rev, ...(doc._conflicts ?? [])]) await db.remove(doc._id, rev);
}
