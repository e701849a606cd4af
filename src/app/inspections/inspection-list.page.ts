import { ChangeDetectionStrategy, Component, computed, inject, linkedSignal, signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import {
  Observable,
  asyncScheduler,
  catchError,
  combineLatest,
  debounceTime,
  filter,
  map,
  of,
  scan,
  startWith,
  tap,
  throttleTime,
} from 'rxjs';
import { InspectionStatus } from '../../../domain/doc-types';
import { ArchiveIndexService } from '../archive/archive-index.service';
import { exhaustMapLatest } from '../data/exhaust-map-latest';
import { DraftStore } from '../drafts/draft-store.service';
import { OrphanDraftsPointerComponent } from '../drafts/orphan-drafts-pointer.component';
import { InspectionFilter, InspectionQuery, isInspectionId } from '../data/inspection-list-query';
import { InspectionPage, InspectionStoreService } from '../data/inspection-store.service';
import { countFormat } from '../shared/count-format';
import { AppDatePipe } from '../shared/date-format';
import { RecordBadgeComponent } from '../sync/record-badge.component';
import { INSPECTION_STATUSES, INSPECTION_STATUS_LABELS } from './inspection-status';

/** A page as read for its query. */
interface ShownPage {
  query: InspectionQuery;
  page: InspectionPage;
}

function sameFilter(a: InspectionFilter, b: InspectionFilter): boolean {
  return a.search === b.search && a.status === b.status;
}

/** Rows shown at first and added by "Show more". */
const INSPECTION_PAGE_SIZE = 50;

// A first sync writes hundreds of documents a second; re-reading the shown rows at most
// about twice a second keeps the list current without competing with the sync for
// IndexedDB, and reading on the first change shows a single edit (another tab) at once.
const CHANGES_THROTTLE_MS = 400;

@Component({
  selector: 'app-inspection-list-page',
  imports: [
    FormsModule,
    RouterLink,
    MatButtonModule,
    MatButtonToggleModule,
    MatFormFieldModule,
    MatInputModule,
    OrphanDraftsPointerComponent,
    RecordBadgeComponent,
    AppDatePipe,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 1100px' },
  templateUrl: './inspection-list.page.html',
  styleUrl: './inspection-list.page.css',
})
export class InspectionListPage {
  private readonly store = inject(InspectionStoreService);

  private readonly drafts = inject(DraftStore);

  /** Inspections archived off this device: listed apart, each opens from the server. */
  protected readonly archived = inject(ArchiveIndexService).archived;
  protected readonly showArchived = signal(false);

  protected readonly labels = INSPECTION_STATUS_LABELS;
  /** Inspections with edits typed on this device and not saved. */
  protected readonly drafted = this.drafts.inspectionIds;
  protected readonly statuses = INSPECTION_STATUSES;
  protected readonly count = countFormat();
  protected readonly search = signal('');
  protected readonly status = signal<InspectionStatus | 'all'>('all');

  private readonly searched = toSignal(toObservable(this.search).pipe(debounceTime(150)), { initialValue: '' });
  /** How many rows to show; back to one page whenever the filter changes. */
  private readonly limit = linkedSignal({
    source: () => [this.searched(), this.status()],
    computation: () => INSPECTION_PAGE_SIZE,
  });
  private readonly query = computed(() => ({ search: this.searched(), status: this.status(), limit: this.limit() }));

  private readonly inspectionChanges$ = this.store.changes$.pipe(
    filter(isInspectionId),
    throttleTime(CHANGES_THROTTLE_MS, asyncScheduler, { leading: true, trailing: true }),
    startWith(undefined),
  );

  /** Why the last read failed (the database closing at logout, storage trouble); the last page stays shown. */
  protected readonly readError = signal<string | null>(null);

  protected readonly page = toSignal(
    combineLatest([toObservable(this.query), this.inspectionChanges$]).pipe(
      exhaustMapLatest(([query]) => this.read(query)),
      filter((read) => read !== null),
      // A whole list's rows come before its count: until the count does, the last count of
      // the same filter stands (a sync or "Show more" reads again) rather than blink out.
      scan(
        (shown: ShownPage | null, read: ShownPage) =>
          read.page.total === null && shown && sameFilter(shown.query, read.query)
            ? { ...read, page: { ...read.page, total: shown.page.total } }
            : read,
        null,
      ),
      map((shown) => shown!.page),
    ),
  );

  constructor() {
    // Another tab may have typed or saved since.
    void this.drafts.refresh();
  }

  // One failed read must not end the stream: the next change or filter reads again.
  private read(query: InspectionQuery): Observable<ShownPage | null> {
    return this.store.list(query).pipe(
      map((page) => ({ query, page })),
      tap(() => this.readError.set(null)),
      catchError((error: unknown) => {
        const reason = (error as Error).message || String(error);
        this.readError.set($localize`:@@inspections.readError:The inspections on this device could not be read: ${reason}:reason:`);
        return of(null);
      }),
    );
  }

  protected showMore(): void {
    this.limit.update((limit) => limit + INSPECTION_PAGE_SIZE);
  }

  protected nextPageSize(total: number, shown: number): number {
    return Math.min(INSPECTION_PAGE_SIZE, total - shown);
  }
}
