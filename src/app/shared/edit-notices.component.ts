import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { EditableDoc } from './editable-doc';

/** What a detail page tells about its document beyond the fields: changed elsewhere, a failed save. */
@Component({
  selector: 'app-edit-notices',
  imports: [MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (doc().changedElsewhere()) {
      <div class="banner" data-testid="changed-elsewhere">
        <ng-container i18n="@@editNotices.changedElsewhere">{doc().noun, select,
          inspection {This inspection was changed elsewhere while you were editing.}
          defect {This defect was changed elsewhere while you were editing.}
          other {This document was changed elsewhere while you were editing.}
        }</ng-container>
        @if (comparable()) {
          <button mat-flat-button type="button" data-testid="compare-versions" (click)="compare.emit()" i18n="@@editNotices.compare">
            Compare both versions
          </button>
        }
        <button mat-button type="button" data-testid="reload-doc" (click)="doc().reload()" i18n="@@editNotices.reload">
          Discard my edits and reload
        </button>
      </div>
    }
    @if (doc().failure(); as message) {
      <p class="failure" role="alert" data-testid="save-failure">{{ message }}</p>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .banner {
      padding: 12px 16px;
      border-radius: 8px;
      margin: 12px 0;
      background: #e8f0fe;
    }
  `,
})
export class EditNoticesComponent {
  readonly doc = input.required<Pick<EditableDoc<object>, 'noun' | 'changedElsewhere' | 'failure' | 'reload'>>();
  /** The page can show the user's edits beside the other version (a draft's merge). */
  readonly comparable = input(false);
  readonly compare = output();
}
