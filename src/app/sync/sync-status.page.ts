import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import { switchMap } from 'rxjs';
import { Defect, FieldbookDoc, PhotoDoc } from '../../../domain/doc-types';
import { isPhotoId } from '../../../domain/photo-doc';
import { ArchiveCardComponent } from '../archive/archive-card.component';
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
import { LanguagePickerComponent } from '../i18n/language-picker.component';
import { ruleViolation } from '../i18n/rule-messages';
import { countFormat } from '../shared/count-format';
import { AppDatePipe } from '../shared/date-format';

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
  imports: [AppDatePipe, RouterLink, MatButtonModule, MatFormFieldModule, MatInputModule, LanguagePickerComponent, ArchiveCardComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page' },
  template: `
    <h1 i18n="@@nav.sync">Sync</h1>
    <section class="card">
      <p>
        @if (status().lastSyncedAt; as at) {
          <ng-container i18n="@@sync.statusSince"
            >Status: <strong data-testid="sync-status-state">{{ stateLabel() }}</strong> · last up to date {{ at | appDate }}</ng-container
          >
        } @else {
          <ng-container i18n="@@sync.status"
            >Status: <strong data-testid="sync-status-state">{{ stateLabel() }}</strong></ng-container
          >
        }
      </p>
      @if (status().sessionExpired) {
        <p class="error" i18n="@@sync.sessionExpired">Your session has expired. Changes stay on this device until you sign in again.</p>
        <button mat-flat-button type="button" data-testid="sign-in-again" (click)="signInAgain()" i18n="@@sync.signInAgain">
          Sign in again
        </button>
      } @else {
        @if (offline()) {
          <p class="offline" data-testid="sync-offline" i18n="@@sync.offline">
            Offline — changes are kept on this device and sync when you're back online
          </p>
        }
        @if (problem(); as error) {
          <p class="error" data-testid="sync-last-error" i18n="@@sync.lastProblem">Last problem: {{ error }}</p>
        }
      }
      <button mat-stroked-button type="button" data-testid="retry-sync" (click)="retry()" i18n="@@sync.retry">Retry now</button>
    </section>

    <section class="card">
      <app-archive-card />
    </section>

    <section class="card device">
      @if (renaming()) {
        <form class="rename" (submit)="$event.preventDefault(); saveName(nameInput.value)">
          <mat-form-field subscriptSizing="dynamic">
            <mat-label i18n="@@device.nameLabel">This device's name</mat-label>
            <input
              matInput
              #nameInput
              data-testid="device-name-input"
              [value]="deviceName() ?? ''"
              [attr.maxlength]="nameMaxLength"
              placeholder="e.g. Tablet 3"
              i18n-placeholder="@@device.namePlaceholder"
            />
          </mat-form-field>
          <button mat-flat-button type="submit" data-testid="device-name-save" i18n="@@common.save">Save</button>
          <button mat-button type="button" (click)="renaming.set(false)" i18n="@@common.cancel">Cancel</button>
        </form>
      } @else {
        <p>
          <ng-container i18n="@@device.this"
            >This device: <strong data-testid="device-name">{{ deviceName() ?? shortDeviceId(thisDevice) }}</strong></ng-container
          >
          <button mat-button type="button" data-testid="device-name-edit" (click)="renaming.set(true)">
            @if (deviceName()) {
              <ng-container i18n="@@device.rename">Edit</ng-container>
            } @else {
              <ng-container i18n="@@device.name">Name this device</ng-container>
            }
          </button>
        </p>
      }
      <p class="hint" i18n="@@device.hint">Your edits carry this name, so conflicts can say which device made them.</p>
      <app-language-picker />
    </section>

    <section class="card">
      <h2>
        <ng-container i18n="@@sync.waiting">Waiting to sync</ng-container>
        <span class="count" data-testid="pending-count">{{ count(pending().length) }}</span>
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
        <p class="hint" i18n="@@sync.nothingPending">Everything on this device has reached the server.</p>
      }
    </section>

    <section class="card">
      <h2>
        <ng-container i18n="@@sync.refusedTitle">Refused by the server</ng-container>
        <span class="count" data-testid="rejected-count">{{ count(rejected().length) }}</span>
      </h2>
      @for (doc of rejected(); track doc.id) {
        <div class="item rejected" data-testid="rejected-item">
          <span class="label">{{ doc.label }}</span>
          <span class="reason">{{ doc.reason }}</span>
          @if (doc.link) {
            <a mat-stroked-button [routerLink]="doc.link" data-testid="edit-and-retry" i18n="@@sync.editAndRetry">Edit and retry</a>
          }
        </div>
      } @empty {
        <p class="hint" i18n="@@sync.nothingRefused">Nothing was refused.</p>
      }
    </section>

    <section class="card">
      <h2>
        <ng-container i18n="@@nav.conflicts">Conflicts</ng-container>
        <span class="count" data-testid="conflict-count">{{ count(conflicts()) }}</span>
      </h2>
      @if (conflicts()) {
        <a mat-stroked-button routerLink="/conflicts" data-testid="open-conflicts" i18n="@@sync.resolveConflicts">Resolve conflicts</a>
      } @else {
        <p class="hint" i18n="@@sync.noConflicts">No conflicting edits.</p>
      }
    </section>

    <section class="card">
      <h2 i18n="@@storage.title">Storage on this device</h2>
      @if (storage(); as report) {
        <p data-testid="storage-usage">
          @if (report.usage !== null && report.quota !== null) {
            <ng-container i18n="@@storage.usage">{{ bytes(report.usage) }} used of {{ bytes(report.quota) }} available</ng-container>
          } @else {
            <ng-container i18n="@@storage.unknown">This browser does not report storage use.</ng-container>
          }
        </p>
        @if (report.persisted) {
          <p data-testid="storage-persisted" i18n="@@storage.persisted">Data is kept even when the device runs low on space.</p>
        } @else {
          <p class="hint" i18n="@@storage.mayClear">The browser may clear this data when the device runs low on space.</p>
          <button mat-stroked-button type="button" data-testid="persist-storage" (click)="persist()" i18n="@@storage.persist">
            Keep data on this device
          </button>
          @if (persistRefused()) {
            <p class="hint" role="status" data-testid="persist-refused" i18n="@@storage.persistRefused">
              The browser declined. It usually agrees once the app is installed on the home screen.
            </p>
          }
        }
      }
      <a mat-button routerLink="/storage" data-testid="open-storage" i18n="@@storage.details">Storage by kind and free space</a>
    </section>
  `,
  styles: `
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
  protected readonly count = countFormat();
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
  /** The browser said no to the last request for persistent storage (Chrome decides by how the app is used). */
  protected readonly persistRefused = signal(false);

  protected readonly pending = toSignal(toObservable(this.pushLedger.pendingIds).pipe(switchMap((ids) => this.describe([...ids]))), {
    initialValue: [],
  });
  protected readonly rejected = toSignal(
    toObservable(this.pushLedger.rejections).pipe(
      switchMap(async (rejections) =>
        (await this.describe(Object.keys(rejections))).map((doc) => ({ ...doc, reason: ruleViolation(rejections[doc.id]?.reason ?? '') })),
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
    this.persistRefused.set(!(await this.storageService.requestPersistence()));
    await this.refreshStorage();
  }

  private async refreshStorage(): Promise<void> {
    this.storage.set(await this.storageService.report());
  }

  private async describe(ids: string[]): Promise<DocSummary[]> {
    const db = this.localDb.db();
    if (!db || !ids.length) return [];
    const result = await db.allDocs<FieldbookDoc | PhotoDoc>({ keys: ids, include_docs: true });
    const docs = result.rows.map((row) => ({ key: row.key, doc: 'doc' in row ? (row.doc ?? null) : null }));
    // A full-size photo waiting to upload (domain/photo-doc.ts) is named after its defect.
    const defectIds = [...new Set(docs.flatMap(({ doc }) => (doc?.type === 'photo' ? [doc.defectId] : [])))];
    const defects = defectIds.length ? await db.allDocs<Defect>({ keys: defectIds, include_docs: true }) : { rows: [] };
    const defectOf = new Map(defects.rows.flatMap((row) => ('doc' in row && row.doc ? [[row.id, row.doc] as const] : [])));
    return docs.map(({ key, doc }) => {
      if (!doc) {
        const label = key.startsWith('defect:')
          ? $localize`:@@sync.deletedDefect:Deleted defect`
          : isPhotoId(key)
            ? $localize`:@@sync.deletedPhoto:Deleted photo`
            : $localize`:@@sync.deletedInspection:Deleted inspection`;
        return { id: key, label, link: null };
      }
      if (doc.type === 'photo') {
        const defect = defectOf.get(doc.defectId);
        return defect
          ? {
              id: doc._id,
              label: $localize`:@@sync.photoOfDefect:Full-size photo of defect: ${defect.title}:title:`,
              link: defectLink(defect),
            }
          : { id: doc._id, label: $localize`:@@sync.photoLabel:Full-size photo of a defect`, link: null };
      }
      const label =
        doc.type === 'defect'
          ? $localize`:@@sync.defectLabel:Defect: ${doc.title}:title:`
          : $localize`:@@sync.inspectionLabel:Inspection: ${doc.title}:title:`;
      return { id: doc._id, label, link: doc.type === 'defect' ? defectLink(doc) : ['/inspections', doc._id] };
    });
  }
}

function defectLink(defect: Defect): string[] {
  return ['/inspections', defect.inspectionId, 'defects', defect._id];
}
