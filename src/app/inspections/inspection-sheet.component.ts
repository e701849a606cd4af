import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { ChecklistResult, Defect, Inspection } from '../../../domain/doc-types';
import { photosOf } from '../data/defect-store.service';
import { SEVERITY_LEVELS } from '../defects/defect-edit.page';
import { defectSummary } from '../defects/defect-summary';
import { PhotoStripComponent } from '../photos/photo-strip.component';

const RESULT_LABELS: Record<Exclude<ChecklistResult, null>, string> = {
  pass: $localize`:@@review.result.pass:Pass`,
  fail: $localize`:@@review.result.fail:Fail`,
  na: $localize`:@@review.result.na:N/A`,
};

/** A defect with its photo stubs, as read from a server database. */
export type DefectWithPhotos = Defect & { _attachments?: PouchDB.Core.Attachments };

/**
 * An inspection's whole checklist and its defects with their photos, read-only: the
 * supervisor's review (from the hub) and an archived inspection (from the user's server
 * database). Photos come from the page's ATTACHMENT_SOURCE.
 */
@Component({
  selector: 'app-inspection-sheet',
  imports: [PhotoStripComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section>
      <h2 i18n="@@review.checklist">Checklist</h2>
      <ol class="checklist">
        @for (item of inspection().checklist; track item.id) {
          <li data-testid="review-checklist-item" [attr.data-result]="item.result ?? 'none'">
            <span class="label">{{ item.label }}</span>
            <span class="result" [class]="item.result">
              @if (item.result) {
                {{ resultLabels[item.result] }}
              } @else {
                <ng-container i18n="@@review.notAnswered">Not answered</ng-container>
              }
            </span>
            @if (item.note) {
              <span class="note">{{ item.note }}</span>
            }
          </li>
        }
      </ol>
    </section>

    <section>
      <h2 i18n="@@review.defects">Defects</h2>
      @for (defect of defects(); track defect._id) {
        <article class="defect" data-testid="review-defect">
          <h3>
            <span data-testid="review-defect-title">{{ defect.title }}</span>
            <span class="severity" [attr.data-severity]="defect.severity" data-testid="review-defect-severity">
              {{ defect.severity }} · {{ severityNames[defect.severity] }}
            </span>
          </h3>
          <p class="meta" data-testid="review-defect-summary">{{ summary(defect, photosOf(defect).length) }}</p>
          @if (defect.description) {
            <p class="text">{{ defect.description }}</p>
          }
          @if (photosOf(defect).length) {
            <app-photo-strip [docId]="defect._id" [photos]="photosOf(defect)" [readonly]="true" />
          }
        </article>
      } @empty {
        <p class="meta" data-testid="review-no-defects" i18n="@@review.noDefects">No defects recorded.</p>
      }
    </section>
  `,
  styles: `
    .text {
      white-space: pre-wrap;
    }
    .meta {
      color: #5f6368;
    }
    .checklist {
      padding-left: 24px;
    }
    .checklist li {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
      padding: 8px 0;
      border-bottom: 1px solid var(--mat-sys-outline-variant, #ccc);
    }
    .checklist .label {
      flex: 1 1 240px;
    }
    .result {
      font-weight: 500;
    }
    .result.pass {
      color: #1b5e20;
    }
    .result.fail {
      color: #b3261e;
    }
    .note {
      flex-basis: 100%;
      color: #5f6368;
    }
    .defect {
      padding: 8px 16px 16px;
      margin-bottom: 12px;
      border-radius: 12px;
      background: var(--mat-sys-surface-container-low, #f5f5f5);
    }
    .defect h3 {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      gap: 8px;
      overflow-wrap: anywhere;
    }
  `,
})
export class InspectionSheetComponent {
  readonly inspection = input.required<Inspection>();
  /** Its defects, most severe first. */
  readonly defects = input.required<readonly DefectWithPhotos[]>();

  protected readonly resultLabels = RESULT_LABELS;
  protected readonly severityNames = Object.fromEntries(SEVERITY_LEVELS.map(({ level, name }) => [level, name])) as Record<number, string>;
  protected readonly summary = defectSummary;
  protected readonly photosOf = photosOf;
}
