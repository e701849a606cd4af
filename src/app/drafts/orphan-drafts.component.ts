import { ChangeDetectionStrategy, Component, ElementRef, effect, inject, viewChild } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { ActivatedRoute } from '@angular/router';
import { AppDatePipe } from '../shared/date-format';
import { fieldLabel } from '../shared/field-labels';
import { DraftStore } from './draft-store.service';
import { OrphanDraft, typedText } from './orphan-drafts';
import { orphanDraftsSignal } from './orphan-drafts-signal';

/**
 * The drafts whose document or inspection is no longer on this device (deleted elsewhere, or
 * reassigned or archived away): no page opens them, yet they are kept, counted at logout and
 * hold their photos. Each shows its text to copy and can be discarded.
 */
@Component({
  selector: 'app-orphan-drafts',
  imports: [MatButtonModule, AppDatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (orphans().length) {
      <section #section class="card" id="orphan-drafts" data-testid="orphan-drafts">
        <h2 i18n="@@orphanDrafts.title">Unsaved edits of records no longer on this device</h2>
        <p class="hint" i18n="@@orphanDrafts.hint">
          What was typed here on records since deleted elsewhere, or gone from this device. It can no longer be saved: copy what you need,
          then discard it.
        </p>
        @for (orphan of orphans(); track orphan.key) {
          <article class="orphan" data-testid="orphan-draft">
            <p class="when" i18n="@@orphanDrafts.typedAt">Typed {{ orphan.draft.savedAt | appDate }}</p>
            <dl>
              @for (line of text(orphan); track line.field) {
                <dt>{{ label(line.field) }}</dt>
                <dd>{{ line.text }}</dd>
              }
            </dl>
            <button mat-button type="button" data-testid="discard-orphan-draft" (click)="discard(orphan)" i18n="@@orphanDrafts.discard">
              Discard
            </button>
          </article>
        }
      </section>
    }
  `,
  styles: `
    dl {
      display: grid;
      grid-template-columns: max-content auto;
      gap: 4px 24px;
      user-select: text;
    }
    dd {
      margin: 0;
      white-space: pre-wrap;
    }
    .orphan + .orphan {
      border-top: 1px solid #dadce0;
    }
  `,
})
export class OrphanDraftsComponent {
  private readonly store = inject(DraftStore);

  protected readonly label = fieldLabel;
  protected readonly text = (orphan: OrphanDraft) => typedText(orphan.draft.values);
  protected readonly orphans = orphanDraftsSignal();
  private readonly section = viewChild<ElementRef<HTMLElement>>('section');

  constructor() {
    // Another tab may have typed or discarded since this one last read them. Not on the list's
    // pointer: the drafts were read as the database opened, and each start would read them again.
    void this.store.refresh();
    // Come from the list's pointer: the section shows once the drafts are read, after the router's own anchor scrolling would have looked.
    let wanted = inject(ActivatedRoute).snapshot.fragment === 'orphan-drafts';
    effect(() => {
      const section = this.section();
      if (!wanted || !section) return;
      wanted = false;
      section.nativeElement.scrollIntoView();
    });
  }

  protected discard(orphan: OrphanDraft): void {
    this.store.discard(orphan.key).catch((error: unknown) => console.error('Discarding a draft failed', error));
  }
}
