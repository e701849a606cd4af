import { Signal, inject } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { catchError, from, of, switchMap } from 'rxjs';
import { LocalDbService } from '../core/local-db.service';
import { DraftStore } from './draft-store.service';
import { OrphanDraft, orphanDrafts } from './orphan-drafts';

/**
 * The drafts no page opens any more (orphanDrafts), for a component: read when it is made and
 * again as this tab's drafts change (a discard; typing in another tab once reread). Call it in an
 * injection context.
 */
export function orphanDraftsSignal(): Signal<OrphanDraft[]> {
  const store = inject(DraftStore);
  const localDb = inject(LocalDbService);
  return toSignal(
    toObservable(store.drafts).pipe(
      switchMap((drafts) => {
        const db = localDb.db();
        if (!db) return of([]);
        // Caught here, so the next change of the drafts reads again.
        return from(orphanDrafts(db, drafts)).pipe(
          catchError((error: unknown) => {
            console.error('Reading the drafts of deleted records failed', error);
            return of([]);
          }),
        );
      }),
    ),
    { initialValue: [] },
  );
}
