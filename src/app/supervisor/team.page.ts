import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { EMPTY, Observable, Subject, catchError, debounceTime, finalize, from, map, scan, startWith, switchMap, tap } from 'rxjs';
import { InspectionStatus } from '../../../domain/doc-types';
import { inspectionOwner } from '../../../domain/inspection-owner';
import { apiErrorMessage } from '../core/api-error-message';
import { AppDatePipe } from '../shared/date-format';
import { INSPECTION_STATUSES, INSPECTION_STATUS_LABELS } from '../inspections/inspection-status';
import { DirectoryErrorComponent } from './directory-error.component';
import { DirectoryState } from './directory-state';
import { HubService } from './hub.service';
import { NO_TEAM_FILTER, TeamFilter, TeamResults } from './team-query';

/** Inspections per page; "Show more" adds as many again. */
export const TEAM_PAGE_SIZE = 50;

/** Typing a date fires on every digit: the query waits for a pause. */
const FILTER_DEBOUNCE_MS = 250;

/**
 * Every inspection in the hub, the latest scheduled first, filtered by inspector, status and
 * scheduled dates; each opens the review page. The filter lives in the URL, so coming back
 * from a review shows the same list.
 */
@Component({
  selector: 'app-team-page',
  imports: [
    AppDatePipe,
    RouterLink,
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    DirectoryErrorComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 1100px' },
  template: `
    <nav class="back">
      <a mat-button routerLink="/supervisor" data-testid="back-to-queue" i18n="@@team.backToQueue">Review queue</a>
    </nav>
    <h1 i18n="@@team.heading">Team inspections</h1>
    <form class="filters" [formGroup]="filter">
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label i18n="@@team.inspector">Inspector</mat-label>
        <mat-select formControlName="inspector" data-testid="team-inspector">
          <mat-option value="" i18n="@@team.anyone">Anyone</mat-option>
          @for (name of inspectors(); track name) {
            <mat-option [value]="name">{{ name }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label i18n="@@team.status">Status</mat-label>
        <mat-select formControlName="status" data-testid="team-status">
          <mat-option value="" i18n="@@team.anyStatus">Any status</mat-option>
          @for (status of statuses; track status) {
            <mat-option [value]="status">{{ statusLabels[status] }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label i18n="@@team.from">Scheduled from</mat-label>
        <input matInput type="date" formControlName="from" data-testid="team-from" />
      </mat-form-field>
      <mat-form-field appearance="outline" subscriptSizing="dynamic">
        <mat-label i18n="@@team.to">Scheduled to</mat-label>
        <input matInput type="date" formControlName="to" data-testid="team-to" />
      </mat-form-field>
    </form>
    <app-directory-error [state]="directory" />
    @if (rangeError()) {
      <p class="error" role="alert" data-testid="team-range-error" i18n="@@team.rangeError">
        "Scheduled from" must be on or before "Scheduled to".
      </p>
    }
    @if (readError(); as error) {
      <p class="error" role="alert" data-testid="team-read-error">
        {{ error }}
        <button mat-button type="button" data-testid="team-retry" (click)="retry.next()" i18n="@@team.retry">Try again</button>
      </p>
    }
    @if (loading() && !page()) {
      <p class="hint" data-testid="team-loading" i18n="@@team.loading">Loading…</p>
    }
    @if (page(); as page) {
      @for (doc of page.inspections; track doc._id) {
        <a class="record-row" data-testid="team-row" [routerLink]="['/supervisor/inspections', doc._id]">
          <span class="record-row-main">
            <span class="record-row-title">{{ doc.title }}</span>
            <span class="meta">{{ doc.site }} · {{ ownerOf(doc) }}</span>
          </span>
          <span class="date">{{ doc.scheduledFor | appDate }}</span>
          <span class="status" [attr.data-status]="doc.status" data-testid="team-row-status">{{ statusLabels[doc.status] }}</span>
        </a>
      } @empty {
        <p class="hint" data-testid="team-empty" i18n="@@team.empty">No inspections match.</p>
      }
      @if (page.more) {
        <button
          mat-stroked-button
          type="button"
          class="more"
          data-testid="team-more"
          [disabled]="loading()"
          (click)="showMore()"
          i18n="@@team.more"
        >
          Show more
        </button>
      }
    }
  `,
  styles: `
    .filters {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      margin-bottom: 16px;
    }
    .filters mat-form-field {
      flex: 1 1 180px;
    }
    .meta,
    .status {
      min-width: 88px;
    }
    .more {
      display: block;
      margin: 8px auto;
    }
  `,
})
export class TeamPage {
  private readonly hub = inject(HubService);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly more = new Subject<void>();
  /** "Try again" after a read failed: the same filter and page. */
  protected readonly retry = new Subject<void>();

  /** Whose inspection it is (its assignee, else its creator), as the replication jobs decide. */
  protected readonly ownerOf = inspectionOwner;
  protected readonly statuses = INSPECTION_STATUSES;
  protected readonly statusLabels = INSPECTION_STATUS_LABELS;
  protected readonly filter = filterForm(this.route.snapshot.queryParamMap.get.bind(this.route.snapshot.queryParamMap));
  protected readonly directory = new DirectoryState();
  /** The inspector filter's choices; without the directory, only the one in the URL. */
  protected readonly inspectors = computed(
    () => this.directory.names()?.inspectors ?? [this.route.snapshot.queryParamMap.get('inspector')].filter((name) => !!name),
  );
  protected readonly page = signal<TeamResults | null>(null);
  protected readonly readError = signal('');
  protected readonly rangeError = signal(false);
  /** Whether a page is being read (a long list over a weak connection takes a while). */
  protected readonly loading = signal(false);

  constructor() {
    this.filter.valueChanges
      .pipe(
        debounceTime(FILTER_DEBOUNCE_MS),
        map(() => this.filter.getRawValue()),
        tap((filter) => this.remember(filter)),
        startWith(this.filter.getRawValue()),
        // A new filter starts from the first page; "Show more" adds a page to it.
        switchMap((filter) =>
          this.more.pipe(
            scan((limit) => limit + TEAM_PAGE_SIZE, TEAM_PAGE_SIZE),
            startWith(TEAM_PAGE_SIZE),
            map((limit) => ({ filter, limit })),
          ),
        ),
        switchMap(({ filter, limit }) =>
          this.retry.pipe(
            startWith(undefined),
            switchMap(() => this.read(filter, limit)),
          ),
        ),
        takeUntilDestroyed(),
      )
      .subscribe((page) => this.page.set(page));
    void this.directory.load();
  }

  protected showMore(): void {
    this.more.next();
  }

  /**
   * The page for `filter`. Rows shown for another filter are not its answer: they go as soon as
   * it is asked for, not when it answers or fails ("Show more" keeps the rows of its own).
   */
  private read(filter: TeamFilter, limit: number): Observable<TeamResults> {
    const sameFilter = limit > TEAM_PAGE_SIZE;
    this.rangeError.set(!!filter.from && !!filter.to && filter.from > filter.to);
    if (!sameFilter || this.rangeError()) this.page.set(null);
    if (this.rangeError()) return EMPTY;
    this.loading.set(true);
    return from(this.hub.team(filter, limit)).pipe(
      tap(() => this.readError.set('')),
      catchError((error) => {
        this.readError.set(apiErrorMessage(error, $localize`:@@team.readError:The team's inspections could not be read`));
        return EMPTY;
      }),
      // Also when a newer read replaces it (switchMap drops this one before it starts the next).
      finalize(() => this.loading.set(false)),
    );
  }

  private remember(filter: TeamFilter): void {
    const queryParams = Object.fromEntries(Object.entries(filter).map(([key, value]) => [key, value || null]));
    void this.router.navigate([], { relativeTo: this.route, queryParams, replaceUrl: true });
  }
}

function filterForm(param: (name: keyof TeamFilter) => string | null) {
  const control = <T extends string>(name: keyof TeamFilter) =>
    new FormControl<T>((param(name) ?? NO_TEAM_FILTER[name]) as T, { nonNullable: true });
  return new FormGroup({
    inspector: control('inspector'),
    status: control<InspectionStatus | ''>('status'),
    from: control('from'),
    to: control('to'),
  });
}
