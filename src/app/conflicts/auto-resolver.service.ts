import { DestroyRef, Injectable, inject } from '@angular/core';
import { toObservable } from '@angular/core/rxjs-interop';
import { concatMap, merge, skip } from 'rxjs';
import { autoMergeEnabled } from '../../../domain/conflicts/auto-resolve';
import { ConflictedDoc } from '../../../domain/conflicts/conflicted-docs';
import { ConflictIndexService } from '../core/conflict-index.service';
import { PhotoRestoreService } from '../data/photo-restore.service';
import { AutoMergeSettingsService } from './auto-merge-settings.service';
import { ConflictResolverService } from './conflict-resolver.service';
import { ConflictStoreService } from './conflict-store.service';

/**
 * Merges new conflicts whose versions changed different fields as soon as they arrive, as the
 * logged-in user; the rest wait in the inbox. Turning auto-merge on for a type tries again all
 * conflicts still open.
 *
 * Whatever the merge does, a conflicted defect that lives on (an edit made elsewhere wins over
 * its deletion here, as CouchDB's winner, until someone resolves it) gets back the photo
 * documents its deletion took along (PhotoRestoreService), before the server compacts their
 * last images away. Each start looks at every open conflict again, so a try that failed
 * (offline) is made again.
 */
@Injectable({ providedIn: 'root' })
export class AutoResolverService {
  private readonly conflictIndex = inject(ConflictIndexService);
  private readonly store = inject(ConflictStoreService);
  private readonly resolver = inject(ConflictResolverService);
  private readonly settings = inject(AutoMergeSettingsService);
  private readonly photos = inject(PhotoRestoreService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly settingsChanged$ = toObservable(this.settings.settings).pipe(skip(1));

  /** Starts watching; called once by the app shell. */
  watch(): void {
    const subscription = merge(this.conflictIndex.conflictUpdates$, this.settingsChanged$.pipe(concatMap(() => this.openConflicts())))
      // One run at a time: runs write, and their writes are the next updates.
      .pipe(concatMap((docs) => this.resolve(docs)))
      .subscribe();
    this.destroyRef.onDestroy(() => subscription.unsubscribe());
  }

  private async openConflicts(): Promise<ConflictedDoc[]> {
    try {
      return await this.store.find([...this.conflictIndex.conflictIds()]);
    } catch (error) {
      console.error('Reading conflicts failed', error);
      return [];
    }
  }

  private async resolve(docs: readonly ConflictedDoc[]): Promise<void> {
    await this.autoMerge(docs);
    try {
      await this.photos.keepPhotosOfConflicts(docs);
    } catch (error) {
      // Offline, or logged out mid-run: the conflicts are looked at again on the next start.
      console.error('Bringing back the photos of a conflicted defect failed', error);
    }
  }

  private async autoMerge(docs: readonly ConflictedDoc[]): Promise<void> {
    const settings = this.settings.settings();
    const mergeable = docs.filter((doc) => autoMergeEnabled(settings, doc));
    if (!mergeable.length) return;
    try {
      const db = this.store.conflictDb();
      await db.prefetchAncestors(mergeable);
      await this.resolver.autoResolve(db, mergeable, settings);
    } catch (error) {
      // Logged out or the database closed mid-run; the conflicts stay in the inbox.
      console.error('Auto-merge failed', error);
    }
  }
}
