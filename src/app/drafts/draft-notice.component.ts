import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { AppDatePipe } from '../shared/date-format';
import { FormDraft } from './form-draft';

/** Says that the form shows edits kept on this device from earlier, with the way to drop them. */
@Component({
  selector: 'app-draft-notice',
  imports: [AppDatePipe, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (draft().restoredAt(); as at) {
      <div class="banner" role="status" data-testid="draft-restored">
        <span i18n="@@draft.restored">Unsaved edits from {{ at | appDate }} restored.</span>
        <button mat-button type="button" data-testid="discard-draft" (click)="draft().discard()" i18n="@@draft.discard">
          Discard draft
        </button>
      </div>
    }
  `,
  styles: `
    .banner {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
      padding: 8px 16px;
      border-radius: 8px;
      margin: 12px 0;
      background: #e6f4ea;
    }
  `,
})
export class DraftNoticeComponent {
  readonly draft = input.required<Pick<FormDraft, 'restoredAt' | 'discard'>>();
}
