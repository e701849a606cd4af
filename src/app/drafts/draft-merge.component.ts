import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { AppDatePipe } from '../shared/date-format';
import { MergeGridComponent, MergeVersionDirective } from '../conflicts/merge-grid.component';
import { UnresolvedFieldsComponent } from '../conflicts/unresolved-fields.component';
import { MINE } from './draft-merge';
import { FormDraft } from './form-draft';

interface Saved {
  updatedBy?: string;
  updatedAt?: string;
}

/**
 * The typed values beside the newer stored version, field by field against the version the
 * typing began on: keep mine, keep theirs, or choose per field and take the result.
 */
@Component({
  selector: 'app-draft-merge',
  imports: [AppDatePipe, MatButtonModule, MergeGridComponent, MergeVersionDirective, UnresolvedFieldsComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="merge" data-testid="draft-merge">
      <h2 i18n="@@draft.merge.heading">Your edits and a newer version</h2>
      <p class="hint">
        <ng-container i18n="@@draft.merge.savedElsewhere">{noun(), select,
          inspection {This inspection was saved elsewhere after you started typing.}
          defect {This defect was saved elsewhere after you started typing.}
          other {This document was saved elsewhere after you started typing.}
        }</ng-container
        >&ngsp;<ng-container i18n="@@draft.merge.hint"
          >Your edits are kept on this device. What only one side changed is merged; where both changed the same field, tap the value to
          keep.</ng-container
        >
      </p>
      <app-merge-grid [merging]="draft().merging" [ancestorLabel]="beforeLabel" [emptyText]="sameText">
        <ng-template appMergeVersion let-rev>
          @if (rev === mine) {
            <strong i18n="@@draft.merge.mine">Your edits</strong>
            @if (draft().comparedSince(); as at) {
              <span i18n="@@draft.merge.typedAt">Typed {{ at | appDate }} on this device</span>
            }
            <button mat-stroked-button type="button" data-testid="keep-mine" (click)="draft().keepMine()" i18n="@@draft.merge.keepMine">
              Keep mine
            </button>
          } @else {
            <strong i18n="@@draft.merge.theirs">Saved version</strong>
            <span>{{ theirs()?.updatedBy }}</span>
            @if (theirs()?.updatedAt; as at) {
              <span>{{ at | appDate }}</span>
            }
            <button
              mat-stroked-button
              type="button"
              data-testid="keep-theirs"
              (click)="draft().keepTheirs()"
              i18n="@@draft.merge.keepTheirs"
            >
              Keep theirs
            </button>
          }
        </ng-template>
      </app-merge-grid>
      <footer class="actions">
        <app-unresolved-fields [merging]="draft().merging" />
        <button
          mat-flat-button
          type="button"
          data-testid="keep-merged"
          [disabled]="draft().merging.unresolved().length > 0"
          (click)="draft().keepMerged()"
        >
          @if (draft().savesOnDecision()) {
            <ng-container i18n="@@draft.merge.save">Save the result</ng-container>
          } @else {
            <ng-container i18n="@@draft.merge.use">Use the result</ng-container>
          }
        </button>
      </footer>
    </section>
  `,
  styles: `
    .merge {
      padding: 12px 16px;
      margin: 12px 0;
      border-radius: 12px;
      border: 2px solid #d7aefb;
    }
    h2 {
      margin-top: 0;
    }
    .actions {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 12px;
      margin-top: 12px;
    }
  `,
})
export class DraftMergeComponent {
  readonly draft =
    input.required<
      Pick<FormDraft, 'merging' | 'comparedSince' | 'theirs' | 'savesOnDecision' | 'keepMine' | 'keepTheirs' | 'keepMerged'>
    >();
  /** What the page calls its document: "inspection", "defect". */
  readonly noun = input.required<string>();

  protected readonly mine = MINE;
  protected readonly beforeLabel = $localize`:@@draft.merge.base:Before your edits`;
  protected readonly sameText = $localize`:@@draft.merge.same:Your edits and the saved version are the same.`;
  protected readonly theirs = computed(() => this.draft().theirs() as Saved | null);
}
