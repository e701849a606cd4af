import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, InjectionToken, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatTableModule } from '@angular/material/table';
import { exhaustMap, timer } from 'rxjs';
import { apiErrorMessage } from '../core/api-error-message';
import { countFormat } from '../shared/count-format';
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
  imports: [DatePipe, MatButtonModule, MatTableModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Replication jobs</h1>
    <p class="summary" data-testid="jobs-summary">
      {{ summary() }}
      <a mat-button href="/_utils/#/replication">Open in Fauxton</a>
    </p>
    @if (error(); as text) {
      <p class="error" role="alert" data-testid="jobs-error">{{ text }}</p>
    }
    @if (jobs(); as rows) {
      <table mat-table [dataSource]="rows" class="jobs">
        <ng-container matColumnDef="id">
          <th mat-header-cell *matHeaderCellDef>Job</th>
          <td mat-cell *matCellDef="let job">{{ job.id }}</td>
        </ng-container>
        <ng-container matColumnDef="route">
          <th mat-header-cell *matHeaderCellDef>From → to</th>
          <td mat-cell *matCellDef="let job">{{ job.source }} → {{ job.target }}</td>
        </ng-container>
        <ng-container matColumnDef="state">
          <th mat-header-cell *matHeaderCellDef>State</th>
          <td mat-cell *matCellDef="let job">
            <span class="state" [class.problem]="isProblem(job)" data-testid="job-state">{{ job.state }}</span>
            @if (job.error) {
              <div class="job-error" data-testid="job-error">{{ job.error }}</div>
            }
          </td>
        </ng-container>
        <ng-container matColumnDef="progress">
          <th mat-header-cell *matHeaderCellDef>Progress</th>
          <td mat-cell *matCellDef="let job" data-testid="job-progress">{{ progress(job) }}</td>
        </ng-container>
        <ng-container matColumnDef="lastUpdated">
          <th mat-header-cell *matHeaderCellDef>Last update</th>
          <td mat-cell *matCellDef="let job">{{ job.lastUpdated ? (job.lastUpdated | date: 'medium') : '–' }}</td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let job; columns: columns" data-testid="job-row"></tr>
      </table>
    }
  `,
  styles: `
    :host {
      display: block;
      padding: 16px;
      max-width: 1100px;
      margin: 0 auto;
    }
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
    .job-error,
    .error {
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
    if (!jobs) return 'Loading…';
    const byState = new Map<string, number>();
    for (const job of jobs) byState.set(job.state, (byState.get(job.state) ?? 0) + 1);
    const states = [...byState].map(([state, count]) => `${count} ${state}`).join(', ');
    return `${jobs.length} ${jobs.length === 1 ? 'job' : 'jobs'}${states ? `: ${states}` : ''}`;
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
    if (job.docsWritten !== undefined) parts.push(`${this.formatCount(job.docsWritten)} written`);
    if (job.pending !== undefined) parts.push(`${this.formatCount(job.pending)} pending`);
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
      this.error.set(apiErrorMessage(error, 'The replication jobs could not be loaded'));
    }
  }
}
