import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { toObservable, toSignal } from '@angular/core/rxjs-interop';
import { catchError, of, switchMap } from 'rxjs';
import { AUTO_MERGE_DEVICE_ID } from '../../../domain/conflicts/auto-resolve';
import { AuditChange, AuditEntry, AuditValue } from '../../../domain/doc-types';
import { shortDeviceId } from '../core/device-name.service';
import { AppDatePipe } from '../shared/date-format';
import { fieldLabel, fieldValue } from '../shared/field-labels';
import { AUDIT_SOURCE } from './audit-source';

/** One line of an entry, worded for people. */
interface ChangeLine {
  kind: 'changed' | 'photo-added' | 'photo-removed' | 'item-added' | 'item-removed';
  field: string;
  before: string;
  after: string;
}

/**
 * A record's history, newest first: who saved it, on which device, when, and what each save
 * changed (field: before → after). Read from AUDIT_SOURCE: the local database, or the hub where
 * a supervisor reviews.
 */
@Component({
  selector: 'app-audit-history',
  imports: [AppDatePipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="history" data-testid="audit-history">
      <h2 i18n="@@audit.heading">History</h2>
      @let read = entries();
      @if (read === null) {
        <p class="hint" data-testid="audit-unread" i18n="@@audit.unread">The history could not be read.</p>
      }
      @for (entry of read ?? []; track entry._id) {
        <article class="entry" data-testid="audit-entry" [attr.data-action]="entry.action">
          <p class="who">
            <span data-testid="audit-user">{{ entry.user }}</span> · <span data-testid="audit-device">{{ deviceOf(entry) }}</span> ·
            <time [attr.datetime]="entry.at" data-testid="audit-at">{{ entry.at | appDate }}</time>
          </p>
          @if (entry.merge) {
            <p class="what" i18n="@@audit.merged">Merged versions saved on different devices</p>
          }
          @switch (entry.action) {
            @case ('create') {
              <p class="what" i18n="@@audit.created">Created</p>
            }
            @case ('delete') {
              <p class="what" i18n="@@audit.deleted">Deleted</p>
            }
          }
          <ul class="changes">
            @for (line of linesOf(entry); track $index) {
              <li data-testid="audit-change">
                @switch (line.kind) {
                  @case ('photo-added') {
                    <ng-container i18n="@@audit.photoAdded">Added photo {{ line.after }}</ng-container>
                  }
                  @case ('photo-removed') {
                    <ng-container i18n="@@audit.photoRemoved">Removed photo {{ line.before }}</ng-container>
                  }
                  @case ('item-added') {
                    <ng-container i18n="@@audit.itemAdded">Added checklist item "{{ line.after }}"</ng-container>
                  }
                  @case ('item-removed') {
                    <ng-container i18n="@@audit.itemRemoved">Removed checklist item "{{ line.before }}"</ng-container>
                  }
                  @default {
                    <span class="field">{{ line.field }}:</span> {{ line.before }} → {{ line.after }}
                  }
                }
              </li>
            }
            @if (entry.omitted) {
              <li class="more" i18n="@@audit.omitted">and {{ entry.omitted }} more</li>
            }
          </ul>
        </article>
      } @empty {
        @if (read) {
          <p class="hint" i18n="@@audit.empty">No saves recorded yet.</p>
        }
      }
    </section>
  `,
  styles: `
    .entry {
      padding: 8px 0;
      border-bottom: 1px solid var(--mat-sys-outline-variant, #ccc);
    }
    .who,
    .hint {
      margin: 0;
      font-size: 13px;
      opacity: 0.75;
    }
    .what {
      margin: 4px 0 0;
      font-weight: 500;
    }
    .changes {
      margin: 4px 0 0;
      padding-left: 20px;
      overflow-wrap: anywhere;
    }
    .field {
      font-weight: 500;
    }
  `,
})
export class AuditHistoryComponent {
  private readonly source = inject(AUDIT_SOURCE);

  /** The record whose history this is. */
  readonly docId = input.required<string>();

  /** The entries, or null once reading them failed: an empty history would say nothing was saved. */
  protected readonly entries = toSignal(
    toObservable(this.docId).pipe(
      switchMap((id) =>
        this.source.entries(id).pipe(
          catchError((error: unknown) => {
            console.error('Reading the history failed', error);
            return of(null);
          }),
        ),
      ),
    ),
    { initialValue: [] as AuditEntry[] | null },
  );

  protected deviceOf(entry: AuditEntry): string {
    // An automatic merge names no device (the same on every one that makes it): said in words.
    if (entry.deviceId === AUTO_MERGE_DEVICE_ID) return $localize`:@@audit.autoMergeDevice:Automatic merge`;
    return entry.deviceName ?? shortDeviceId(entry.deviceId);
  }

  protected linesOf(entry: AuditEntry): ChangeLine[] {
    return asReassignment(entry.changes).map(lineOf);
  }
}

/**
 * A reassignment also sets `unassignedFrom`, who it was taken from, for the proxy's hub work:
 * not a line of its own, but the inspector it went from where none was assigned (its creator).
 */
function asReassignment(changes: AuditChange[]): AuditChange[] {
  const takenFrom = changes.find((change) => change.path === 'unassignedFrom')?.after;
  return changes.flatMap((change) => {
    if (change.path === 'unassignedFrom') return [];
    if (change.path === 'assignedTo' && change.before === undefined && takenFrom !== undefined) return [{ ...change, before: takenFrom }];
    return [change];
  });
}

function lineOf(change: AuditChange): ChangeLine {
  const [before, after] = [shown(change.path, change.before), shown(change.path, change.after)];
  if (change.path === 'photos') {
    if (change.before === undefined) return { kind: 'photo-added', field: '', before, after };
    if (change.after === undefined) return { kind: 'photo-removed', field: '', before, after };
  }
  // A whole checklist item: `checklist[2]`, valued by its label.
  if (/\]$/.test(change.path)) {
    if (change.before === undefined) return { kind: 'item-added', field: '', before, after };
    if (change.after === undefined) return { kind: 'item-removed', field: '', before, after };
  }
  const label = fieldLabel(change.path);
  return { kind: 'changed', field: change.item ? `${change.item} · ${label}` : label, before, after };
}

/** A value of the field at `path` as a line shows it: codes and dates in words (fieldValue). */
function shown(path: string, value: AuditValue | undefined): string {
  return value === undefined || value === null || value === '' ? '—' : fieldValue(path, value);
}
