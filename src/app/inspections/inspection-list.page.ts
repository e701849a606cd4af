import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import { auditTime, combineLatest, debounceTime, startWith, switchMap } from 'rxjs';
import { InspectionStatus } from '../../../couch/doc-types';
import { InspectionStoreService } from '../data/inspection-store.service';
import { RecordBadgeComponent } from '../sync/record-badge.component';
import { INSPECTION_STATUSES, INSPECTION_STATUS_LABELS } from './inspection-status';

@Component({
  selector: 'app-inspection-list-page',
  imports: [FormsModule, RouterLink, MatButtonModule, MatButtonToggleModule, MatFormFieldModule, MatInputModule, RecordBadgeComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header class="bar">
      <h1>Inspections</h1>
      <a mat-flat-button routerLink="/inspections/new" data-testid="new-inspection">New inspection</a>
    </header>
    <div class="filters">
      <mat-form-field appearance="outline" subscriptSizing="dynamic" class="search">
        <mat-label>Search title or site</mat-label>
        <input matInput type="search" data-testid="inspection-search" [ngModel]="search()" (ngModelChange)="search.set($event)" />
      </mat-form-field>
      <mat-button-toggle-group [value]="status()" (change)="status.set($event.value)" aria-label="Status" data-testid="status-filter">
        <mat-button-toggle value="all">All</mat-button-toggle>
        @for (s of statuses; track s) {
          <mat-button-toggle [value]="s">{{ labels[s] }}</mat-button-toggle>
        }
      </mat-button-toggle-group>
    </div>
    @if (inspections(); as list) {
      @for (inspection of list; track inspection._id) {
        <a class="row" data-testid="inspection-row" [routerLink]="['/inspections', inspection._id]">
          <span class="main">
            <span class="title">{{ inspection.title }}</span>
            <span class="site">{{ inspection.site }}</span>
          </span>
          <span class="date">{{ inspection.scheduledFor }}</span>
          <span class="status" [attr.data-status]="inspection.status">{{ labels[inspection.status] }}</span>
          <app-record-badge [doc]="inspection" />
        </a>
      } @empty {
        <p class="empty" data-testid="inspection-empty">No inspections{{ search() || status() !== 'all' ? ' match' : ' yet' }}.</p>
      }
    }
  `,
  styles: `
    :host { display: block; padding: 16px; max-width: 1100px; margin: 0 auto; }
    .bar { display: flex; align-items: center; justify-content: space-between; gap: 16px; }
    .filters { display: flex; flex-wrap: wrap; gap: 16px; align-items: center; margin-bottom: 16px; }
    .search { flex: 1 1 280px; }
    .row { display: flex; align-items: center; gap: 16px; min-height: 64px; padding: 8px 16px; margin-bottom: 8px;
      border-radius: 12px; background: var(--mat-sys-surface-container-low, #f5f5f5); color: inherit; text-decoration: none; }
    .main { flex: 1; display: flex; flex-direction: column; min-width: 0; }
    .title { font-size: 18px; font-weight: 500; overflow: hidden; text-overflow: ellipsis; }
    .site { color: #5f6368; }
    .status { min-width: 88px; }
    .empty { color: #5f6368; padding: 32px 0; text-align: center; }
  `,
})
export class InspectionListPage {
  private readonly store = inject(InspectionStoreService);

  protected readonly labels = INSPECTION_STATUS_LABELS;
  protected readonly statuses = INSPECTION_STATUSES;
  protected readonly search = signal('');
  protected readonly status = signal<InspectionStatus | 'all'>('all');

  protected readonly inspections = toSignal(
    combineLatest([
      toObservable(this.search).pipe(debounceTime(150)),
      toObservable(this.status),
      this.store.changes$.pipe(auditTime(100), startWith(undefined)),
    ]).pipe(switchMap(([search, status]) => this.store.list({ search, status }))),
  );
}
