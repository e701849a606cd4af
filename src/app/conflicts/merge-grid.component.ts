import { NgTemplateOutlet } from '@angular/common';
import { ChangeDetectionStrategy, Component, Directive, TemplateRef, computed, contentChild, inject, input, signal } from '@angular/core';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MergeChoices } from './merge-choices';

/** What a version's column head shows: `<ng-template appMergeVersion let-rev let-index="index">`. */
@Directive({ selector: 'ng-template[appMergeVersion]' })
export class MergeVersionDirective {
  readonly template = inject<TemplateRef<{ $implicit: string; index: number }>>(TemplateRef);
}

/**
 * Versions side by side, a line per field against their common version: what one side changed is
 * merged, a conflict is chosen by tapping the value to keep, and the last column shows the result.
 */
@Component({
  selector: 'app-merge-grid',
  imports: [NgTemplateOutlet, MatSlideToggleModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="grid" [style.--columns]="columns()">
      <div class="line head-line">
        <span class="label" i18n="@@merge.field">Field</span>
        @if (hasAncestor()) {
          <span class="ancestor">{{ ancestorLabel() }}</span>
        }
        @for (leaf of merging().merge()?.leaves ?? []; track leaf._rev; let i = $index) {
          <div class="version" data-testid="conflict-version" [attr.data-rev]="leaf._rev">
            @if (versionHead(); as head) {
              <ng-container *ngTemplateOutlet="head.template; context: { $implicit: leaf._rev, index: i }" />
            }
          </div>
        }
        <span class="result" i18n="@@merge.result">Result</span>
      </div>

      @for (row of visibleRows(); track row.path) {
        <div class="line" data-testid="conflict-field" [attr.data-path]="row.path" [attr.data-status]="row.status">
          <span class="label">{{ row.label }}</span>
          @if (row.ancestor !== null) {
            <span class="ancestor">{{ row.ancestor }}</span>
          }
          @for (cell of row.cells; track cell.rev) {
            @if (cell.choosable) {
              <button
                type="button"
                class="cell choice"
                [class.chosen]="merging().choices()[row.path] === cell.rev"
                [attr.aria-pressed]="merging().choices()[row.path] === cell.rev"
                [attr.data-testid]="'choose-' + cell.rev"
                (click)="merging().choose(row.path, cell.rev)"
              >
                {{ cell.text }}
              </button>
            } @else {
              <span class="cell" [class.changed]="cell.changed">{{ cell.text }}</span>
            }
          }
          <span class="result" data-testid="conflict-result">{{ row.result }}</span>
        </div>
      } @empty {
        <p class="hint">{{ emptyText() }}</p>
      }
    </div>

    <mat-slide-toggle
      [checked]="showUnchanged()"
      (change)="showUnchanged.set($event.checked)"
      data-testid="show-unchanged"
      i18n="@@merge.showUnchanged"
    >
      Show unchanged fields
    </mat-slide-toggle>
  `,
  styles: `
    :host {
      display: block;
    }
    .grid {
      overflow-x: auto;
      margin-bottom: 16px;
    }
    .line {
      display: grid;
      grid-template-columns: var(--columns);
      gap: 8px;
      align-items: start;
      padding: 8px 0;
      border-bottom: 1px solid #e0e0e0;
      min-width: min-content;
    }
    .head-line {
      font-weight: 500;
      align-items: end;
    }
    .line[data-status='conflict'] {
      background: #f3e5f5;
    }
    .line[data-status='merged'] .result {
      color: #1e6b34;
    }
    .label {
      font-weight: 500;
      padding-left: 8px;
    }
    .ancestor {
      color: #5f6368;
    }
    .version {
      display: flex;
      flex-direction: column;
      gap: 2px;
      font-size: 14px;
    }
    /* A long text keeps its lines and wraps in every column, what is saved (the result) too. */
    .cell,
    .ancestor,
    .result {
      overflow-wrap: anywhere;
      white-space: pre-wrap;
    }
    .changed {
      background: #fff4d6;
      border-radius: 4px;
    }
    .choice {
      text-align: left;
      font: inherit;
      min-height: 44px;
      padding: 8px;
      border-radius: 8px;
      cursor: pointer;
      border: 2px solid #b0b0b0;
      background: #fff;
    }
    .chosen {
      border-color: var(--mat-sys-primary, #005cbb);
      background: #e8f0fe;
    }
  `,
})
export class MergeGridComponent {
  readonly merging = input.required<MergeChoices>();
  /** The common version's column head. */
  readonly ancestorLabel = input($localize`:@@merge.commonVersion:Common version`);
  /** Said when no field differs. */
  readonly emptyText = input($localize`:@@merge.noDifference:The versions differ only in who saved them when.`);

  protected readonly versionHead = contentChild(MergeVersionDirective);
  protected readonly showUnchanged = signal(false);
  protected readonly hasAncestor = computed(() => !!this.merging().merge()?.ancestor);
  protected readonly visibleRows = computed(() =>
    this.showUnchanged()
      ? this.merging().rows()
      : this.merging()
          .rows()
          .filter((row) => row.status !== 'same'),
  );
  /** Label, common version (when known), one per version, result. */
  protected readonly columns = computed(() => {
    const ancestor = this.hasAncestor() ? 'minmax(100px, 1fr) ' : '';
    const versions = this.merging().merge()?.leaves.length ?? 0;
    return `minmax(140px, 1fr) ${ancestor}repeat(${versions}, minmax(140px, 1.4fr)) minmax(120px, 1fr)`;
  });
}
