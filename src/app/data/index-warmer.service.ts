import { Injectable, InjectionToken, inject } from '@angular/core';
import { Subscription, debounceTime, startWith } from 'rxjs';
import { MANGO_INDEXES } from '../../../domain/mango-indexes';
import { ChangesFeedReader } from '../core/changes-feed-reader.service';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { exhaustMapLatest } from './exhaust-map-latest';

/** How long the local database must be quiet before its indexes are brought up to date. */
export const INDEX_QUIET_MS = new InjectionToken<number>('INDEX_QUIET_MS', { factory: () => 2_000 });

/**
 * Keeps the local Mango indexes current while the inspector is not waiting on them.
 * pouchdb-find updates an index only when a query uses it, so after a first sync of
 * thousands of documents the first status filter would index them all on the spot
 * (20 s for 10,000 on a slow tablet); this does it once the pull has gone quiet.
 */
@Injectable({ providedIn: 'root' })
export class IndexWarmerService {
  private readonly quietMs = inject(INDEX_QUIET_MS);
  private readonly localDb = inject(LocalDbService);
  private readonly changesFeed = inject(ChangesFeedReader);
  private subscription?: Subscription;

  start(db: Database): void {
    this.stop();
    this.subscription = this.changesFeed.changedIds$
      .pipe(
        startWith(null),
        debounceTime(this.quietMs),
        exhaustMapLatest(() => warmIndexes(db)),
      )
      .subscribe();
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}

/** Queries every local index once, which makes pouchdb-find index what it has not yet. */
export async function warmIndexes(db: Database): Promise<void> {
  for (const index of MANGO_INDEXES) {
    const selector = { [index.fields[0]]: { $gt: null } };
    // A closed database (logout meanwhile) has nothing left to warm.
    await db.find({ selector, fields: ['_id'], use_index: [index.ddoc, index.name], limit: 1 }).catch(() => undefined);
  }
}
