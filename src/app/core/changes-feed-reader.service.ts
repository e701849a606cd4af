import { Injectable, inject } from '@angular/core';
import { Observable, map, of, share, switchMap } from 'rxjs';
import { LocalDbService } from './local-db.service';
import { Database } from './pouchdb';

/** A change of the local database: the document, its sequence, and the revisions of all its leaves. */
export interface LocalChange {
  id: string;
  seq: number;
  changes: { rev: string }[];
}

/** A change heard live, with the winning revision's body: the feed reads it anyway, so a listener need not read it again. */
export interface LiveChange extends LocalChange {
  doc: { _id: string; _rev: string; _deleted?: boolean } & Record<string, unknown>;
}

/**
 * The one reader of the local database's changes feed. `all_docs` style everywhere: every
 * leaf, so the push ledger sees local edits and the conflict index sees conflicts without
 * reading the documents again.
 */
@Injectable({ providedIn: 'root' })
export class ChangesFeedReader {
  private readonly localDb = inject(LocalDbService);

  /**
   * Each document changed in the open database from now on (an edit, a pull, another tab),
   * with its leaves. One live feed however many listen: each feed rereads every change, so
   * during a first sync each extra listener would read thousands of documents again.
   * Listeners hear a change in the order they subscribed.
   */
  readonly changes$: Observable<LiveChange> = this.localDb.db$.pipe(switchMap(liveChanges), share());
  /** The id of each document changed, from the same feed. */
  readonly changedIds$: Observable<string> = this.changes$.pipe(map((change) => change.id));

  /** The changes of `db` after `since` up to now, once; `lastSeq` is where the read ended. */
  async read(db: Database, since: number): Promise<{ changes: LocalChange[]; lastSeq: number }> {
    const { results, last_seq } = await db.changes({ since, style: 'all_docs' });
    return { changes: results.map(localChange), lastSeq: Number(last_seq) };
  }
}

function localChange({ id, seq, changes }: PouchDB.Core.ChangesResponseChange<object>): LocalChange {
  return { id, seq: Number(seq), changes };
}

/**
 * The changes of `db` from now on; nothing without a database. With their documents: the
 * indexeddb adapter's feed reads each whole record to list a change, so `include_docs` costs
 * nothing and spares a listener one read per document (10,000 in a first pull).
 */
function liveChanges(db: Database | null): Observable<LiveChange> {
  if (!db) return of();
  return new Observable<LiveChange>((subscriber) => {
    const feed = db
      .changes({ since: 'now', live: true, style: 'all_docs', include_docs: true })
      .on('change', (change) => subscriber.next({ ...localChange(change), doc: change.doc as LiveChange['doc'] }))
      .on('error', (error) => subscriber.error(error));
    return () => feed.cancel();
  });
}
