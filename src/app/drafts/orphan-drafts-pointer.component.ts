import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';
import { orphanDraftsSignal } from './orphan-drafts-signal';

/**
 * Points from the inspection list to the drafts no page opens any more (on the Storage page):
 * what was typed on a record deleted elsewhere or gone from this device is kept there until the
 * inspector copies or discards it, and nothing else leads to it.
 */
@Component({
  selector: 'app-orphan-drafts-pointer',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (orphans().length; as count) {
      <a
        class="pointer"
        routerLink="/storage"
        [fragment]="'orphan-drafts'"
        data-testid="orphan-drafts-pointer"
        i18n="@@orphanDrafts.pointer"
        >{count, plural,
          =1 {1 unsaved edit of a record no longer on this device: copy or discard it}
          other {{{ count }} unsaved edits of records no longer on this device: copy or discard them}
        }</a
      >
    }
  `,
  styles: `
    .pointer {
      display: block;
      padding: 8px 16px;
      border-radius: 8px;
      margin: 12px 0;
      background: #fff4d6;
      color: #5c4300;
    }
  `,
})
export class OrphanDraftsPointerComponent {
  protected readonly orphans = orphanDraftsSignal();
}
