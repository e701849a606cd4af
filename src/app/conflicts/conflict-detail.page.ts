import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { Router, RouterLink } from '@angular/router';
import { filter, from, startWith, switchMap } from 'rxjs';
import { Resolution, keepLeaf, resolveMerge, unresolvedPaths } from '../../../domain/conflicts/conflict-resolution';
import { Choices, mergeLeaves } from '../../../domain/conflicts/three-way-merge';
import { SyncLedgerService } from '../core/sync-ledger.service';
import { DEVICE_ID, DocWriterService } from '../data/doc-writer.service';
import { ValidationError } from '../data/validation-bridge';
import { humanize } from '../shared/field-error.component';
import { conflictDiff } from './conflict-diff';
import { ConflictStoreService, LoadedConflict } from './conflict-store.service';

/** Who saved one version, when and where, from its audit fields. */
interface VersionInfo {
  rev: string;
  current: boolean;
  deleted: boolean;
  by: string | null;
  at: string | null;
  device: string | null;
}

/**
 * One conflicted document: its versions side by side, field by field against their common
 * ancestor, and the ways to resolve it — keep one version, or choose per field.
 */
@Component({
  selector: 'app-conflict-detail-page',
  imports: [DatePipe, RouterLink, MatButtonModule, MatSlideToggleModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './conflict-detail.page.html',
  styleUrl: './conflict-detail.page.css',
})
export class ConflictDetailPage {
  private readonly store = inject(ConflictStoreService);
  private readonly writer = inject(DocWriterService);
  private readonly router = inject(Router);
  private readonly ledger = inject(SyncLedgerService);
  protected readonly thisDevice = inject(DEVICE_ID);

  /** From the route (`conflicts/:id`). */
  readonly id = input.required<string>();

  /** undefined while loading; null when the document has no conflict (any more). */
  protected readonly conflict = signal<LoadedConflict | null | undefined>(undefined);
  protected readonly choices = signal<Choices>({});
  protected readonly showUnchanged = signal(false);
  protected readonly errors = signal<string[]>([]);
  protected readonly saving = signal(false);

  /** The merge with the choices made so far. */
  private readonly preview = computed(() => {
    const merge = this.conflict()?.merge;
    return merge && mergeLeaves(merge.leaves, merge.ancestor, this.choices());
  });
  private readonly rows = computed(() => {
    const [merge, preview] = [this.conflict()?.merge, this.preview()];
    return merge && preview ? conflictDiff(merge, preview) : [];
  });
  protected readonly visibleRows = computed(() =>
    this.showUnchanged() ? this.rows() : this.rows().filter((row) => row.status !== 'same'),
  );
  protected readonly unresolved = computed(() => {
    const preview = this.preview();
    return preview ? unresolvedPaths(preview, this.choices()) : [];
  });
  protected readonly versions = computed(() => (this.conflict()?.merge.leaves ?? []).map(versionInfo));
  protected readonly title = computed(() => {
    const live = this.conflict()?.merge.leaves.find((leaf) => !leaf._deleted);
    return typeof live?.['title'] === 'string' ? live['title'] : this.id();
  });
  /** Label, common ancestor (when known), one per version, result. */
  protected readonly columns = computed(() => {
    const ancestor = this.conflict()?.merge.ancestor ? 'minmax(100px, 1fr) ' : '';
    return `minmax(140px, 1fr) ${ancestor}repeat(${this.versions().length}, minmax(140px, 1.4fr)) minmax(120px, 1fr)`;
  });

  constructor() {
    // Reload when other versions arrive, or when the conflict ends elsewhere.
    toObservable(this.id)
      .pipe(
        switchMap((id) => this.store.changes$.pipe(filter((changed) => changed === id), startWith(id))),
        // Inside the stream, a load still running when the page closes ends with it.
        switchMap(() => from(this.load())),
        takeUntilDestroyed(),
      )
      .subscribe();
  }

  protected choose(path: string, rev: string): void {
    this.choices.update((choices) => ({ ...choices, [path]: rev }));
  }

  protected resolve(): Promise<void> {
    return this.write((conflict) => resolveMerge(conflict.merge, this.choices(), this.writer.mergeStamp()));
  }

  protected keep(rev: string): Promise<void> {
    return this.write((conflict) => keepLeaf(conflict.merge, rev, this.writer.mergeStamp()));
  }

  private async write(decide: (conflict: LoadedConflict) => Resolution): Promise<void> {
    const conflict = this.conflict();
    if (!conflict) return;
    this.saving.set(true);
    this.errors.set([]);
    try {
      await this.writer.resolveConflict(conflict.db, decide(conflict));
      this.ledger.resolved([conflict.doc.id]);
      await this.router.navigateByUrl('/conflicts');
    } catch (error) {
      this.errors.set(
        error instanceof ValidationError
          ? Object.entries(error.errors).map(([field, message]) => `${humanize(field)} ${message}`)
          : [error instanceof Error ? error.message : String(error)],
      );
    } finally {
      this.saving.set(false);
    }
  }

  private async load(): Promise<void> {
    const loaded = await this.store.load(this.id());
    const revs = (conflict: LoadedConflict | null | undefined) => conflict?.merge.leaves.map((leaf) => leaf._rev).join() ?? '';
    // Choices name versions: they only carry over while the versions are the same.
    if (revs(loaded) !== revs(this.conflict())) this.choices.set({});
    this.conflict.set(loaded);
  }
}

function versionInfo(leaf: Record<string, unknown> & { _rev: string; _deleted?: boolean }, index: number): VersionInfo {
  const text = (value: unknown) => (typeof value === 'string' && value ? value : null);
  return {
    rev: leaf._rev,
    current: index === 0,
    deleted: leaf._deleted === true,
    by: text(leaf['updatedBy']),
    at: text(leaf['updatedAt']),
    device: text(leaf['deviceId']),
  };
}
