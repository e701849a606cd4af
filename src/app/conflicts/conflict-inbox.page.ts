import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { ScrollingModule } from '@angular/cdk/scrolling';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { RouterLink } from '@angular/router';
import { switchMap } from 'rxjs';
import { FieldbookDoc } from '../../../domain/doc-types';
import { ConflictIndexService } from '../core/conflict-index.service';
import { countFormat } from '../shared/count-format';
import { AppDatePipe } from '../shared/date-format';
import { AUTO_MERGE_TYPES, AutoMergeSettingsService } from './auto-merge-settings.service';
import { ConflictStoreService, ConflictSummary } from './conflict-store.service';

const TYPE_LABELS: Record<FieldbookDoc['type'], string> = {
  inspection: $localize`:@@nav.inspections:Inspections`,
  defect: $localize`:@@conflicts.defects:Defects`,
};
/** A conflicted document's type, in a row (ConflictSummary.type: a document type or "document"). */
const TYPE_NAMES: Readonly<Partial<Record<string, string>>> = {
  inspection: $localize`:@@conflicts.inspection:inspection`,
  defect: $localize`:@@conflicts.defect:defect`,
  document: $localize`:@@conflicts.document:document`,
};

/** Every local document with conflicting versions, live as sync brings them; and the auto-merge settings. */
@Component({
  selector: 'app-conflict-inbox-page',
  imports: [AppDatePipe, RouterLink, ScrollingModule, MatSlideToggleModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 1100px' },
  template: `
    <h1 i18n="@@nav.conflicts">Conflicts</h1>
    <section class="settings">
      <h2 i18n="@@conflicts.autoMerge">Merge automatically</h2>
      <p class="hint" i18n="@@conflicts.autoMergeHint">
        When devices changed different fields of the same document, combine the changes without asking.
      </p>
      @for (type of types; track type) {
        <mat-slide-toggle
          [checked]="settings.enabled(type)"
          (change)="settings.set(type, $event.checked)"
          [attr.data-testid]="'auto-merge-toggle-' + type"
          >{{ typeLabels[type] }}</mat-slide-toggle
        >
      }
    </section>

    @if (conflicts(); as list) {
      @if (list.length) {
        <!-- Only the rows in view are rendered, so a thousand conflicts open as fast as ten. -->
        <cdk-virtual-scroll-viewport scrollWindow [itemSize]="rowHeight">
          <a
            *cdkVirtualFor="let conflict of list; trackBy: byId"
            class="row"
            data-testid="conflict-row"
            [attr.data-id]="conflict.id"
            [routerLink]="['/conflicts', conflict.id]"
          >
            <span class="record-row-main">
              <span class="record-row-title">{{ conflict.title }}</span>
              <span class="type">{{ typeNames[conflict.type] ?? conflict.type }}</span>
            </span>
            <span class="versions">
              @if (conflict.deletions === 0) {
                <ng-container i18n="@@conflicts.versions">{{ count(conflict.versions) }} versions</ng-container>
              } @else if (conflict.versions === 2) {
                <ng-container i18n="@@conflicts.deletedInOne">Deleted in one version</ng-container>
              } @else {
                <ng-container i18n="@@conflicts.versionsSomeDeleted"
                  >{{ count(conflict.versions) }} versions, {{ count(conflict.deletions) }} deleted</ng-container
                >
              }
            </span>
            <span class="changed">{{ conflict.changedBy }} {{ conflict.changedAt | appDate }}</span>
          </a>
        </cdk-virtual-scroll-viewport>
      } @else {
        <p class="hint" data-testid="conflicts-empty" i18n="@@conflicts.none">No conflicting changes.</p>
      }
    }
  `,
  styles: `
    .settings {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 24px;
      padding: 0 16px 12px;
      margin-bottom: 16px;
      border-radius: 12px;
      background: var(--mat-sys-surface-container-low, #f5f5f5);
    }
    .settings h2 {
      flex-basis: 100%;
      margin-bottom: 0;
      font-size: 18px;
    }
    .settings .hint {
      flex-basis: 100%;
      margin: 0;
    }
    /* Height plus margin is the viewport's itemSize. */
    .row {
      display: flex;
      align-items: center;
      gap: 16px;
      box-sizing: border-box;
      height: 56px;
      margin-bottom: 8px;
      padding: 0 16px;
      border-radius: 12px;
      background: #f3e5f5;
      color: inherit;
      text-decoration: none;
      overflow: hidden;
    }
    .type,
    .changed {
      color: #5f6368;
    }
  `,
})
export class ConflictInboxPage {
  private readonly conflictIndex = inject(ConflictIndexService);
  private readonly store = inject(ConflictStoreService);
  protected readonly settings = inject(AutoMergeSettingsService);

  protected readonly rowHeight = 64;
  protected readonly types = AUTO_MERGE_TYPES;
  protected readonly typeLabels = TYPE_LABELS;
  protected readonly typeNames = TYPE_NAMES;
  protected readonly count = countFormat();
  protected readonly conflicts = toSignal(
    toObservable(this.conflictIndex.conflictIds).pipe(switchMap((ids) => this.store.summaries([...ids]))),
  );

  protected byId(_index: number, conflict: ConflictSummary): string {
    return conflict.id;
  }
}
