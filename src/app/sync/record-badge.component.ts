import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatTooltipModule } from '@angular/material/tooltip';
import { ConflictIndexService } from '../core/conflict-index.service';
import { PushLedgerService } from '../core/push-ledger.service';
import { ruleViolation } from '../i18n/rule-messages';

type RecordSyncStatus = 'pending' | 'synced' | 'rejected' | 'conflict';

const STATUS_LABELS: Record<RecordSyncStatus, string> = {
  pending: $localize`:@@record.pending:pending`,
  synced: $localize`:@@record.synced:synced`,
  rejected: $localize`:@@record.rejected:rejected`,
  conflict: $localize`:@@record.conflict:conflict`,
};

/** Pending / synced / rejected / conflict badge for one document read with `{conflicts: true}`. */
@Component({
  selector: 'app-record-badge',
  imports: [MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span class="badge" [class]="status()" data-testid="sync-badge" [attr.data-status]="status()" [matTooltip]="reason()">
      {{ label() }}
    </span>
    @if (showReason() && reason(); as why) {
      <span class="reason" data-testid="rejection-reason">{{ why }}</span>
    }
  `,
  styles: `
    :host {
      display: inline-flex;
      align-items: center;
      gap: 8px;
      flex-wrap: wrap;
    }
    .badge {
      font-size: 12px;
      line-height: 20px;
      padding: 0 8px;
      border-radius: 10px;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      background: #e0e0e0;
      color: #333;
    }
    .synced {
      background: #e6f4ea;
      color: #1e6b34;
    }
    .pending {
      background: #fff4d6;
      color: #7a5a00;
    }
    .rejected {
      background: #fce8e6;
      color: #a50e0e;
    }
    .conflict {
      background: #f3e5f5;
      color: #6a1b9a;
    }
    .reason {
      font-size: 13px;
      color: #a50e0e;
    }
  `,
})
export class RecordBadgeComponent {
  private readonly pushLedger = inject(PushLedgerService);
  private readonly conflictIndex = inject(ConflictIndexService);

  readonly doc = input.required<{ _id: string; _rev?: string; _conflicts?: string[] }>();
  /** Spell out the server's reason next to the badge, not only in the tooltip. */
  readonly showReason = input(false);

  protected readonly status = computed<RecordSyncStatus>(() => {
    const doc = this.doc();
    const rejection = this.pushLedger.rejections()[doc._id];
    if (rejection && rejection.rev === doc._rev) return 'rejected';
    if (doc._conflicts?.length || this.conflictIndex.conflictIds().has(doc._id)) return 'conflict';
    if (this.pushLedger.pendingIds().has(doc._id)) return 'pending';
    return 'synced';
  });
  protected readonly label = computed(() => STATUS_LABELS[this.status()]);
  protected readonly reason = computed(() => {
    const reason = this.status() === 'rejected' ? this.pushLedger.rejections()[this.doc()._id]?.reason : '';
    return reason ? ruleViolation(reason) : '';
  });
}
