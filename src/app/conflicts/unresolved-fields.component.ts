import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MergeChoices } from './merge-choices';

/** How many differing fields still wait for a choice before the merged result can be kept. */
@Component({
  selector: 'app-unresolved-fields',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (merging().unresolved().length; as count) {
      <p class="hint" data-testid="unresolved-count" i18n="@@conflict.unresolved">
        Choose a value for {count, plural, =1 {1 more field} other {{{ count }} more fields}}.
      </p>
    }
  `,
})
export class UnresolvedFieldsComponent {
  readonly merging = input.required<MergeChoices>();
}
