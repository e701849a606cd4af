import { ChangeDetectionStrategy, Component, WritableSignal, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { StorageReport, StorageService, formatBytes } from '../core/storage.service';
import { OrphanDraftsComponent } from '../drafts/orphan-drafts.component';
import { PhotoCacheService } from '../photos/photo-cache.service';
import { isNearlyFull, usedPercent } from './quota-share';
import { StorageUsage, StorageUsageService } from './storage-usage.service';
import { StorageWarningService } from './storage-warning.service';

/**
 * What this device stores, by kind (records, thumbnails, full-size photos, photos of unsaved
 * forms, archive), against the browser's quota, with a warning before it is reached, and one
 * action that frees space: the full-size photos the server has (opening one fetches it again).
 * Unsynced work stays, and so do the photos of unsaved forms.
 */
@Component({
  selector: 'app-storage-page',
  imports: [MatButtonModule, MatProgressBarModule, OrphanDraftsComponent, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <h1 i18n="@@storage.pageTitle">Storage</h1>
    <section class="card">
      <h2 i18n="@@storage.title">Storage on this device</h2>
      @if (report(); as quota) {
        @if (quota.usage !== null && quota.quota !== null) {
          <p data-testid="storage-usage" i18n="@@storage.usage">{{ bytes(quota.usage) }} used of {{ bytes(quota.quota) }} available</p>
          <mat-progress-bar mode="determinate" [value]="percent()" [class.warn]="nearlyFull()" />
        } @else {
          <p data-testid="storage-usage" i18n="@@storage.unknown">This browser does not report storage use.</p>
        }
      } @else if (reportFailed()) {
        <p class="error" role="alert" data-testid="storage-usage-error" i18n="@@storage.readFailed">Storage use could not be read.</p>
      }
      @if (nearlyFull()) {
        <p class="warning" role="alert" data-testid="storage-warning" i18n="@@storage.nearlyFull">
          Storage is almost full ({{ percent() }}% used). Free space below; work that is not synced yet stays.
        </p>
      }
    </section>

    <section class="card">
      <h2 i18n="@@storage.byKind">By kind</h2>
      @if (usage(); as kinds) {
        <dl>
          <dt i18n="@@storage.records">Inspections and defects</dt>
          <dd data-testid="usage-records">{{ bytes(kinds.records) }}</dd>
          <dt i18n="@@storage.thumbnails">Thumbnails</dt>
          <dd data-testid="usage-thumbnails">{{ bytes(kinds.thumbnails) }}</dd>
          <dt i18n="@@storage.photos">Full-size photos</dt>
          <dd data-testid="usage-photos">{{ bytes(kinds.photos) }}</dd>
          <dt i18n="@@storage.draftPhotos">Photos of unsaved forms</dt>
          <dd data-testid="usage-draft-photos">{{ bytes(kinds.draftPhotos) }}</dd>
          <dt i18n="@@storage.archive">Archive</dt>
          <dd data-testid="usage-archive">
            @if (kinds.archive !== null) {
              {{ bytes(kinds.archive) }}
            } @else {
              <span i18n="@@storage.archiveUnknown">not measured</span>
            }
          </dd>
        </dl>
        @if (kinds.unsyncedPhotos) {
          <p class="hint" data-testid="usage-unsynced" i18n="@@storage.unsyncedPhotos">
            {{ bytes(kinds.unsyncedPhotos) }} of photos not synced yet: kept until the server has them.
          </p>
        }
        <button
          mat-flat-button
          type="button"
          data-testid="free-space"
          [disabled]="!kinds.droppable || freeing()"
          (click)="freeSpace()"
          i18n="@@storage.freeSpace"
        >
          Free space
        </button>
        <p class="hint" i18n="@@storage.freeSpaceHint">
          Removes full-size photos the server already has ({{ bytes(kinds.droppable) }}); opening one downloads it again.
        </p>
      } @else if (usageFailed()) {
        <p class="error" role="alert" data-testid="usage-error" i18n="@@storage.readFailed">Storage use could not be read.</p>
      } @else {
        <mat-progress-bar mode="indeterminate" />
      }
      @if (freed() !== null) {
        <p role="status" data-testid="space-freed" i18n="@@storage.freed">Freed {{ bytes(freed()!) }}.</p>
      }
      @if (freeFailed()) {
        <p class="error" role="alert" data-testid="free-space-error" i18n="@@storage.freeSpaceFailed">
          Space could not be freed. Try again later.
        </p>
      }
    </section>
    <app-orphan-drafts />
    <a mat-button routerLink="/sync" i18n="@@storage.backToSync">Back to Sync</a>
  `,
  styles: `
    .card {
      margin-bottom: 16px;
    }
    dl {
      display: grid;
      grid-template-columns: max-content auto;
      gap: 8px 24px;
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
    }
    .warning {
      color: #b3261e;
      font-weight: 500;
    }
    mat-progress-bar.warn {
      --mat-progress-bar-active-indicator-color: #b3261e;
    }
  `,
})
export class StoragePage {
  private readonly storage = inject(StorageService);
  private readonly usageService = inject(StorageUsageService);
  private readonly photos = inject(PhotoCacheService);
  private readonly warning = inject(StorageWarningService);

  protected readonly bytes = formatBytes;
  protected readonly report = signal<StorageReport | null>(null);
  protected readonly reportFailed = signal(false);
  protected readonly usage = signal<StorageUsage | null>(null);
  protected readonly usageFailed = signal(false);
  protected readonly freeing = signal(false);
  protected readonly freed = signal<number | null>(null);
  protected readonly freeFailed = signal(false);
  protected readonly percent = computed(() => usedPercent(this.report()));
  protected readonly nearlyFull = computed(() => isNearlyFull(this.percent()));

  constructor() {
    void this.refresh();
  }

  protected async freeSpace(): Promise<void> {
    this.freeing.set(true);
    this.freed.set(null);
    this.freeFailed.set(false);
    try {
      this.freed.set(await this.photos.dropSynced());
    } catch (error) {
      console.error('Freeing space failed', error);
      this.freeFailed.set(true);
    }
    // Even after a failure: the photos dropped before it are gone.
    await Promise.all([this.refresh(), this.warning.look()]);
    this.freeing.set(false);
  }

  /** Each figure on its own: one the browser fails to give leaves the other shown. Never rejects. */
  private async refresh(): Promise<void> {
    await Promise.all([
      show(this.storage.report(), this.report, this.reportFailed, 'Reading the storage quota failed'),
      show(this.usageService.usage(), this.usage, this.usageFailed, 'Reading storage use failed'),
    ]);
  }
}

/** Sets `value` to what `reading` gives; if it fails, clears it (no stale figure) and raises `failed`. */
async function show<T>(reading: Promise<T>, value: WritableSignal<T | null>, failed: WritableSignal<boolean>, what: string): Promise<void> {
  try {
    value.set(await reading);
    failed.set(false);
  } catch (error) {
    console.error(what, error);
    value.set(null);
    failed.set(true);
  }
}
