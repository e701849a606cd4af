import { Injectable, InjectionToken, inject, signal } from '@angular/core';
import { Observable, of, switchMap } from 'rxjs';
import { MANGO_INDEXES } from '../../../couch/design/mango-indexes';
import { Database, PouchDB } from './pouchdb';

/** Prefix of local database names; tests give each run its own. */
export const LOCAL_DB_PREFIX = new InjectionToken<string>('LOCAL_DB_PREFIX', {
  factory: () => 'fieldbook-',
});

declare global {
  interface Window {
    fieldbookDb?: Database;
  }
}

/**
 * The current user's local PouchDB (IndexedDB), one database per user so a second user
 * on the same browser never sees the first's documents.
 */
@Injectable({ providedIn: 'root' })
export class LocalDbService {
  private readonly prefix = inject(LOCAL_DB_PREFIX);
  private readonly current = signal<Database | null>(null);

  readonly db = this.current.asReadonly();

  async open(userDb: string): Promise<Database> {
    const name = this.prefix + userDb;
    const open = this.current();
    if (open?.name === name) return open;
    await this.close();
    const db = new PouchDB<object>(name, { auto_compaction: true });
    await ensureIndexes(db);
    this.current.set(db);
    // For end-to-end tests only: lets Playwright inject documents into the real database.
    window.fieldbookDb = db;
    return db;
  }

  /** The open database; callers run only while a user is logged in. */
  require(): Database {
    const db = this.current();
    if (!db) throw new Error('No local database is open');
    return db;
  }

  async close(): Promise<void> {
    const db = this.current();
    if (!db) return;
    this.current.set(null);
    delete window.fieldbookDb;
    await db.close();
  }

  /** Deletes the user's local data for good (logout). */
  async destroy(): Promise<void> {
    const db = this.current();
    if (!db) return;
    this.current.set(null);
    delete window.fieldbookDb;
    await db.destroy();
  }
}

/** Live changes of whichever database is open; nothing while none is. */
export function liveChanges(db$: Observable<Database | null>): Observable<PouchDB.Core.ChangesResponseChange<object>> {
  return db$.pipe(
    switchMap((db) =>
      db
        ? new Observable<PouchDB.Core.ChangesResponseChange<object>>((subscriber) => {
            const feed = db
              .changes({ since: 'now', live: true })
              .on('change', (change) => subscriber.next(change))
              .on('error', (error) => subscriber.error(error));
            return () => feed.cancel();
          })
        : of(),
    ),
  );
}

async function ensureIndexes(db: Database): Promise<void> {
  for (const index of MANGO_INDEXES) {
    await db.createIndex({ index: { fields: index.fields, name: index.name, ddoc: index.ddoc } });
  }
}
