import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { InitialPullService } from '../core/initial-pull.service';
import { PushLedgerService } from '../core/push-ledger.service';
import { ReplicationService } from '../core/replication.service';
import { countFormat } from '../shared/count-format';
import { dateFormat } from '../shared/date-format';
import { localToday } from '../shared/local-today';
import { SYNC_STATE_LABELS } from '../core/sync-state';

/**
 * Toolbar chip with the sync state, how far a first pull is ("Checking for updates…" until
 * there is something to count), or when the device was last up to date (the time alone if that
 * was today), and how many local edits wait to sync ("3 pending", offline too); links to the
 * sync status page.
 */
@Component({
  selector: 'app-sync-indicator',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <a class="chip" routerLink="/sync" data-testid="sync-state" [attr.data-state]="state()" [class]="state()" [attr.title]="problem()">
      <span class="dot" aria-hidden="true"></span>
      <span>{{ label() }}</span>
      @if (sessionExpired()) {
        <span class="detail" i18n="@@syncChip.expired">(session expired)</span>
      } @else if (progress(); as progress) {
        @if (progress.total) {
          <span class="detail" data-testid="sync-progress" i18n="@@syncChip.progress"
            >{{ count(progress.pulled) }} of {{ count(progress.total) }}</span
          >
        } @else {
          <span class="detail" data-testid="sync-checking" i18n="@@syncChip.checking">Checking for updates…</span>
        }
      } @else if (syncedAt(); as at) {
        <span class="detail" data-testid="sync-last-synced">{{ at }}</span>
      }
      @if (pending()) {
        <span class="pending" data-testid="sync-pending" i18n="@@syncChip.pending">{{ count(pending()) }} pending</span>
      }
    </a>
  `,
  styles: `
    /* In a full header the detail gives way (ellipsis) before anything scrolls sideways. */
    :host {
      display: inline-flex;
      min-width: 0;
    }
    .chip {
      max-width: 100%;
      overflow: hidden;
      display: inline-flex;
      align-items: center;
      gap: 6px;
      padding: 6px 12px;
      border-radius: 16px;
      color: inherit;
      text-decoration: none;
      background: rgb(255 255 255 / 0.15);
      min-height: 48px;
      box-sizing: border-box;
      white-space: nowrap;
    }
    .chip.error {
      background: #b3261e;
      color: #fff;
    }
    .chip.offline {
      background: rgb(0 0 0 / 0.25);
    }
    .chip > * {
      flex: none;
    }
    .chip > .detail {
      flex: 0 1 auto;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .detail {
      font-size: 0.85em;
      margin-left: 4px;
    }
    .pending {
      font-size: 0.85em;
      padding: 2px 8px;
      border-radius: 10px;
      background: rgb(255 255 255 / 0.25);
    }
    .dot {
      width: 10px;
      height: 10px;
      border-radius: 50%;
      background: #9e9e9e;
    }
    .paused .dot {
      background: #4caf50;
    }
    .syncing .dot,
    .connecting .dot {
      background: #ffc107;
      animation: pulse 1s ease-in-out infinite alternate;
    }
    .error .dot {
      background: #fff;
    }
    @keyframes pulse {
      to {
        opacity: 0.3;
      }
    }
  `,
})
export class SyncIndicatorComponent {
  private readonly status = inject(ReplicationService).syncStatus;
  private readonly initialPull = inject(InitialPullService).progress;
  /** Local edits the server does not have yet. */
  protected readonly pending = inject(PushLedgerService).pendingCount;
  protected readonly count = countFormat();
  private readonly dates = dateFormat();
  private readonly today = localToday();

  protected readonly state = computed(() => this.status().state);
  protected readonly label = computed(() => SYNC_STATE_LABELS[this.state()]);
  protected readonly sessionExpired = computed(() => this.status().sessionExpired);
  /** The last sync problem in words (see syncErrorMessage), as the chip's tooltip. */
  protected readonly problem = computed(() => this.status().lastError);
  /** While the device's first pull runs; a total of 0 means it does not know of anything to pull yet. */
  protected readonly progress = computed(() => (this.state() === 'syncing' ? this.initialPull() : null));
  protected readonly syncedAt = computed(() => {
    const { state, lastSyncedAt } = this.status();
    return state === 'paused' && lastSyncedAt ? this.dates.timeToday(lastSyncedAt, this.today()) : null;
  });
}
