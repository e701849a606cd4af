import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { catchError, from, of, switchMap } from 'rxjs';
import { LocalDbService } from '../core/local-db.service';
import { AppDatePipe } from '../shared/date-format';
import { fieldLabel } from '../shared/field-labels';
import { DraftStore } from './draft-store.service';
import { OrphanDraft, orphanDrafts, typedText } from './orphan-drafts';

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
      <section class="card" data-testid="orphan-drafts">
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
  private readonly localDb = inject(LocalDbService);

  protected readonly label = fieldLabel;
  protected readonly text = (orphan: OrphanDraft) => typedText(orphan.draft.values);
  /** Followed as drafts change (a discard here, typing in another tab once reread). */
  protected readonly orphans = toSignal(
    toObservable(this.store.drafts).pipe(
      switchMap((drafts) => {
        const db = this.localDb.db();
        if (!db) return of([]);
        // Caught here, so the next change of the drafts reads again.
        return from(orphanDrafts(db, drafts)).pipe(
          catchError((error: unknown) => {
            console.error('Reading the drafts of deleted records failed', error);
            return of([]);
          }),
        );
      }),
    ),
    { initialValue: [] },
  );

  constructor() {
    // Another tab may have typed or discarded since this one last read them.
    void this.store.refresh();
  }

  protected discard(orphan: OrphanDraft): void {
    this.store.discard(orphan.key).catch((error: unknown) => console.error('Discarding a draft failed', error));
  }
}
