import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import { switchMap } from 'rxjs';
import { FieldbookDoc } from '../../../domain/doc-types';
import { SessionExpiryService } from '../auth/session-expiry.service';
import { DEVICE_NAME_MAX_LENGTH, DeviceNameService, shortDeviceId } from '../core/device-name.service';
import { LocalDbService } from '../core/local-db.service';
import { ReplicationService } from '../core/replication.service';
import { StorageReport, StorageService, formatBytes } from '../core/storage.service';
import { ConflictIndexService } from '../core/conflict-index.service';
import { PushLedgerService } from '../core/push-ledger.service';
import { SYNC_STATE_LABELS } from '../core/sync-state';
import { UNREACHABLE_MESSAGE } from '../core/sync-error-message';
import { DEVICE_ID } from '../data/doc-writer.service';

interface DocSummary {
  id: string;
  label: string;
  /** Where to edit it; null for a deletion. */
  link: string[] | null;
  reason?: string;
}

/**
 * What is waiting to sync, what the server refused, conflicts, and device storage; and this
 * device's name. Offline is a normal state for field work, said in neutral words; real
 * problems (the server refusing, an expired session, server errors) stay highlighted.
 */
@Component({
  selector: 'app-sync-status-page',
  imports: [DatePipe, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Sync</h1>
    <section class="card">
      <p>
        Status: <strong data-testid="sync-status-state">{{ stateLabel() }}</strong>
        @if (status().lastSyncedAt; as at) {
          · last up to date {{ at | date: 'short' }}
        }
      </p>
      @if (status().sessionExpired) {
        <p class="error">Your session has expired. Changes stay on this device until you sign in again.</p>
        <button mat-flat-button type="button" data-testid="sign-in-again" (click)="signInAgain()">Sign in again</button>
      } @else {
        @if (offline()) {
          <p class="offline" data-testid="sync-offline">Offline — changes are kept on this device and sync when you're back online</p>
        }
        @if (problem(); as error) {
          <p class="error" data-testid="sync-last-error">Last problem: {{ error }}</p>
        }
      }
      <button mat-stroked-button type="button" data-testid="retry-sync" (click)="retry()">Retry now</button>
    </section>

    <section class="card device">
      @if (renaming()) {
        <form class="rename" (submit)="$event.preventDefault(); saveName(nameInput.value)">
          <mat-form-field subscriptSizing="dynamic">
            <mat-label>This device's name</mat-label>
            <input
              matInput
              #nameInput
              data-testid="device-name-input"
              [value]="deviceName() ?? ''"
              [attr.maxlength]="nameMaxLength"
              placeholder="e.g. Tablet 3"
            />
          </mat-form-field>
          <button mat-flat-button type="submit" data-testid="device-name-save">Save</button>
          <button mat-button type="button" (click)="renaming.set(false)">Cancel</button>
        </form>
      } @else {
        <p>
          This device: <strong data-testid="device-name">{{ deviceName() ?? shortDeviceId(thisDevice) }}</strong>
          <button mat-button type="button" data-testid="device-name-edit" (click)="renaming.set(true)">
            {{ deviceName() ? 'Edit' : 'Name this device' }}
          </button>
        </p>
      }
      <p class="hint">Your edits carry this name, so conflicts can say which device made them.</p>
    </section>

    <section class="card">
      <h2>
        Waiting to sync <span class="count" data-testid="pending-count">{{ pending().length }}</span>
      </h2>
      @for (doc of pending(); track doc.id) {
        <div class="item" data-testid="pending-item">
          @if (doc.link) {
            <a [routerLink]="doc.link">{{ doc.label }}</a>
          } @else {
            <span>{{ doc.label }}</span>
          }
        </div>
      } @empty {
        <p class="hint">Everything on this device has reached the server.</p>
      }
    </section>

    <section class="card">
      <h2>
        Refused by the server <span class="count" data-testid="rejected-count">{{ rejected().length }}</span>
      </h2>
      @for (doc of rejected(); track doc.id) {
        <div class="item rejected" data-testid="rejected-item">
          <span class="label">{{ doc.label }}</span>
          <span class="reason">{{ doc.reason }}</span>
          @if (doc.link) {
            <a mat-stroked-button [routerLink]="doc.link" data-testid="edit-and-retry">Edit and retry</a>
          }
        </div>
      } @empty {
        <p class="hint">Nothing was refused.</p>
      }
    </section>

    <section class="card">
      <h2>
        Conflicts <span class="count" data-testid="conflict-count">{{ conflicts() }}</span>
      </h2>
      @if (conflicts()) {
        <a mat-stroked-button routerLink="/conflicts" data-testid="open-conflicts">Resolve conflicts</a>
      } @else {
        <p class="hint">No conflicting edits.</p>
      }
    </section>

    <section class="card">
      <h2>Storage on this device</h2>
      @if (storage(); as report) {
        <p data-testid="storage-usage">
          @if (report.usage !== null && report.quota !== null) {
            {{ bytes(report.usage) }} used of {{ bytes(report.quota) }} available
          } @else {
            This browser does not report storage use.
          }
        </p>
        @if (report.persisted) {
          <p data-testid="storage-persisted">Data is kept even when the device runs low on space.</p>
        } @else {
          <p class="hint">The browser may clear this data when the device runs low on space.</p>
          <button mat-stroked-button type="button" data-testid="persist-storage" (click)="persist()">Keep data on this device</button>
        }
      }
    </section>
  `,
  styles: `
    :host {
      display: block;
      padding: 16px;
      max-width: 960px;
      margin: 0 auto;
    }
    .card {
      padding: 8px 16px 16px;
      margin-bottom: 16px;
      border-radius: 12px;
      background: var(--mat-sys-surface-container-low, #f5f5f5);
    }
    .count {
      font-size: 14px;
      padding: 2px 8px;
      border-radius: 10px;
      background: #e0e0e0;
      margin-left: 8px;
    }
    .item {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 12px;
      padding: 8px 0;
      border-bottom: 1px solid #e0e0e0;
    }
    .rejected .label {
      font-weight: 500;
    }
    .reason {
      flex: 1;
      color: #a50e0e;
    }
    .error {
      color: #b3261e;
    }
    .offline {
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--mat-sys-surface-container-high, #e8e8e8);
      color: inherit;
    }
    .rename {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px;
      padding-top: 16px;
    }
    .device button {
      min-height: 48px;
    }
    .hint {
      color: #5f6368;
    }
  `,
})
export class SyncStatusPage {
  private readonly replication = inject(ReplicationService);
  private readonly pushLedger = inject(PushLedgerService);
  private readonly localDb = inject(LocalDbService);
  private readonly storageService = inject(StorageService);
  private readonly expiry = inject(SessionExpiryService);
  private readonly deviceNames = inject(DeviceNameService);

  protected readonly bytes = formatBytes;
  protected readonly status = this.replication.syncStatus;
  protected readonly stateLabel = computed(() => SYNC_STATE_LABELS[this.status().state]);
  /** Out of reach of the server: normal in the field, not a problem. */
  protected readonly offline = computed(() => this.status().state === 'offline');
  /** The last problem worth highlighting: not having a connection is not one while offline. */
  protected readonly problem = computed(() => {
    const { lastError } = this.status();
    return this.offline() && lastError === UNREACHABLE_MESSAGE ? null : lastError;
  });
  protected readonly deviceName = this.deviceNames.name;
  protected readonly thisDevice = inject(DEVICE_ID);
  protected readonly shortDeviceId = shortDeviceId;
  protected readonly nameMaxLength = DEVICE_NAME_MAX_LENGTH;
  protected readonly renaming = signal(false);
  protected readonly storage = signal<StorageReport | null>(null);

  protected readonly pending = toSignal(toObservable(this.pushLedger.pendingIds).pipe(switchMap((ids) => this.describe([...ids]))), {
    initialValue: [],
  });
  protected readonly rejected = toSignal(
    toObservable(this.pushLedger.rejections).pipe(
      switchMap(async (rejections) =>
        (await this.describe(Object.keys(rejections))).map((doc) => ({ ...doc, reason: rejections[doc.id]?.reason })),
      ),
    ),
    { initialValue: [] },
  );
  protected readonly conflicts = inject(ConflictIndexService).conflictCount;

  constructor() {
    void this.refreshStorage();
  }

  protected signInAgain(): void {
    this.expiry.askForPassword();
  }

  protected saveName(name: string): void {
    this.deviceNames.rename(name);
    this.renaming.set(false);
  }

  protected retry(): void {
    this.replication.resume();
  }

  protected async persist(): Promise<void> {
    await this.storageService.requestPersistence();
    await this.refreshStorage();
  }

  private async refreshStorage(): Promise<void> {
    this.storage.set(await this.storageService.report());
  }

  private async describe(ids: string[]): Promise<DocSummary[]> {
    const db = this.localDb.db();
    if (!db || !ids.length) return [];
    const result = await db.allDocs<FieldbookDoc>({ keys: ids, include_docs: true });
    return result.rows.map((row) => {
      const doc = 'doc' in row ? (row.doc as FieldbookDoc | null | undefined) : null;
      if (!doc) return { id: row.key, label: `Deleted ${row.key.split(':')[0]}`, link: null };
      const link = doc.type === 'defect' ? ['/inspections', doc.inspectionId, 'defects', doc._id] : ['/inspections', doc._id];
      return { id: doc._id, label: `${doc.type === 'defect' ? 'Defect' : 'Inspection'}: ${doc.title}`, link };
    });
  }
}
