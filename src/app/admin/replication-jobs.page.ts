import { ChangeDetectionStrategy, Component, InjectionToken, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatTableModule } from '@angular/material/table';
import { exhaustMap, timer } from 'rxjs';
import { apiErrorMessage } from '../core/api-error-message';
import { countFormat } from '../shared/count-format';
import { AppDatePipe } from '../shared/date-format';
import { ReplicationJobsService, ReplicationStatus } from './replication-jobs.service';

/** Jobs change state on the server by themselves; the page asks again this often. */
export const JOBS_REFRESH_MS = new InjectionToken<number>('JOBS_REFRESH_MS', { factory: () => 5_000 });

const PROBLEM_STATES = ['crashing', 'error', 'failed'];

/** Jobs in trouble first, then by id. */
function byUrgency(a: ReplicationStatus, b: ReplicationStatus): number {
  const problem = (job: ReplicationStatus) => (PROBLEM_STATES.includes(job.state) ? 0 : 1);
  return problem(a) - problem(b) || a.id.localeCompare(b.id);
}

/** The admin's view of the server's replication jobs, with their state and errors. */
@Component({
  selector: 'app-replication-jobs-page',
  imports: [AppDatePipe, MatButtonModule, MatTableModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 1100px' },
  template: `
    <h1 i18n="@@jobs.title">Replication jobs</h1>
    <p class="summary" data-testid="jobs-summary">
      {{ summary() }}
      <a mat-button href="/_utils/#/replication" i18n="@@jobs.fauxton">Open in Fauxton</a>
    </p>
    @if (error(); as text) {
      <p class="error" role="alert" data-testid="jobs-error">{{ text }}</p>
    }
    @if (jobs(); as rows) {
      <table mat-table [dataSource]="rows" class="jobs">
        <ng-container matColumnDef="id">
          <th mat-header-cell *matHeaderCellDef i18n="@@jobs.job">Job</th>
          <td mat-cell *matCellDef="let job">{{ job.id }}</td>
        </ng-container>
        <ng-container matColumnDef="route">
          <th mat-header-cell *matHeaderCellDef i18n="@@jobs.route">From → to</th>
          <td mat-cell *matCellDef="let job">{{ job.source }} → {{ job.target }}</td>
        </ng-container>
        <ng-container matColumnDef="state">
          <th mat-header-cell *matHeaderCellDef i18n="@@jobs.state">State</th>
          <td mat-cell *matCellDef="let job">
            <span class="state" [class.problem]="isProblem(job)" data-testid="job-state">{{ job.state }}</span>
            @if (job.error) {
              <div class="job-error" data-testid="job-error">{{ job.error }}</div>
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="progress">
          <th mat-header-cell *matHeaderCellDef i18n="@@jobs.progress">Progress</th>
          <td mat-cell *matCellDef="let job" data-testid="job-progress">{{ progress(job) }}</td>
        </ng-container>
        <ng-container matColumnDef="lastUpdated">
          <th mat-header-cell *matHeaderCellDef i18n="@@jobs.lastUpdate">Last update</th>
          <td mat-cell *matCellDef="let job">{{ (job.lastUpdated | appDate) || '–' }}</td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let job; columns: columns" data-testid="job-row"></tr>
      </table>
    }
  `,
  styles: `
    .summary {
      display: flex;
      align-items: center;
      gap: 8px;
    }
    .jobs {
      width: 100%;
    }
    /* Database names of users with long names are one long hex word: break them rather than widen the page (tablets in portrait). */
    .jobs td {
      overflow-wrap: anywhere;
    }
    .state {
      font-weight: 500;
    }
    .problem,
    .job-error {
      color: var(--mat-sys-error, #b3261e);
    }
    .job-error {
      font-size: 13px;
    }
  `,
})
export class ReplicationJobsPage {
  private readonly service = inject(ReplicationJobsService);
  private readonly formatCount = countFormat();

  protected readonly columns = ['id', 'route', 'state', 'progress', 'lastUpdated'];
  protected readonly jobs = signal<ReplicationStatus[] | null>(null);
  protected readonly error = signal('');
  protected readonly summary = computed(() => {
    const jobs = this.jobs();
    // Never loaded: the error says why, and the page tries again by itself.
    if (!jobs) return this.error() ? '' : $localize`:@@jobs.loading:Loading…`;
    const byState = new Map<string, number>();
    for (const job of jobs) byState.set(job.state, (byState.get(job.state) ?? 0) + 1);
    // The states are CouchDB's own words (running, crashing…), as Fauxton shows them.
    const states = [...byState].map(([state, count]) => `${this.formatCount(count)} ${state}`).join(', ');
    const total = jobs.length === 1 ? $localize`:@@jobs.one:1 job` : $localize`:@@jobs.count:${this.formatCount(jobs.length)}:count: jobs`;
    return states ? `${total}: ${states}` : total;
  });

  constructor() {
    timer(0, inject(JOBS_REFRESH_MS))
      .pipe(
        exhaustMap(() => this.refresh()),
        takeUntilDestroyed(),
      )
      .subscribe();
  }

  /** What CouchDB's scheduler reports; PouchDB Server's replicator reports nothing. */
  protected progress(job: ReplicationStatus): string {
    const parts = [];
    if (job.docsWritten !== undefined) parts.push($localize`:@@jobs.written:${this.formatCount(job.docsWritten)}:count: written`);
    if (job.pending !== undefined) parts.push($localize`:@@jobs.pending:${this.formatCount(job.pending)}:count: pending`);
    return parts.join(' · ') || '–';
  }

  protected isProblem(job: ReplicationStatus): boolean {
    return PROBLEM_STATES.includes(job.state);
  }

  // A failed refresh keeps the last list on screen and says why.
  private async refresh(): Promise<void> {
    try {
      this.jobs.set((await this.service.list()).sort(byUrgency));
      this.error.set('');
    } catch (error) {
      this.error.set(apiErrorMessage(error, $localize`:@@jobs.loadError:The replication jobs could not be loaded`));
    }
  }
}
