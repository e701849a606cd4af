import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Router, RouterLink } from '@angular/router';
import { Resolution, keepLeaf, resolveMerge } from '../../../domain/conflicts/conflict-resolution';
import { rivalResolutions } from '../../../domain/conflicts/conflicted-docs';
import { shortDeviceId } from '../core/device-name.service';
import { DEVICE_ID } from '../data/doc-writer.service';
import { AppDatePipe } from '../shared/date-format';
import { EditNoticesComponent } from '../shared/edit-notices.component';
import { EditableDoc } from '../shared/editable-doc';
import { fieldLabel } from '../shared/field-labels';
import { ConflictResolverService } from './conflict-resolver.service';
import { ConflictStoreService, LoadedConflict } from './conflict-store.service';
import { KeepVersionButtonComponent } from './keep-version-button.component';
import { MergeChoices } from './merge-choices';
import { MergeGridComponent, MergeVersionDirective } from './merge-grid.component';
import { UnresolvedFieldsComponent } from './unresolved-fields.component';
import { versionInfo, versionsKey } from './version-info';

/**
 * One conflicted document: its versions side by side, field by field against their common
 * ancestor, and the ways to resolve it — keep one version, or choose per field.
 */
@Component({
  selector: 'app-conflict-detail-page',
  imports: [
    AppDatePipe,
    RouterLink,
    MatButtonModule,
    EditNoticesComponent,
    KeepVersionButtonComponent,
    MergeGridComponent,
    MergeVersionDirective,
    UnresolvedFieldsComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 1400px' },
  templateUrl: './conflict-detail.page.html',
  styleUrl: './conflict-detail.page.css',
})
export class ConflictDetailPage {
  private readonly store = inject(ConflictStoreService);
  private readonly resolver = inject(ConflictResolverService);
  private readonly router = inject(Router);
  protected readonly thisDevice = inject(DEVICE_ID);
  /** Another device without a name, as a short id. */
  protected readonly shortDeviceId = shortDeviceId;

  /** From the route (`conflicts/:id`). */
  readonly id = input.required<string>();

  /** Gone (missing) when the document has no conflict (any more); choices are the user's edits. */
  protected readonly editable = new EditableDoc<LoadedConflict>({
    id: this.id,
    load: (id) => this.store.load(id),
    edited: (): boolean => Object.keys(this.merging.choices()).length > 0,
    show: () => this.merging.reset(),
    version: (conflict) => versionsKey(conflict.merge),
    noun: 'document',
  });
  protected readonly conflict = this.editable.doc;
  /** The rules' refusal of the result, field by field. */
  protected readonly errors = computed(() =>
    Object.entries(this.editable.errors()).map(([field, message]) => `${fieldLabel(field)} ${message}`),
  );

  /** The last resolution was saved while another version arrived: there is a new conflict to look at. */
  protected readonly overtaken = signal(false);
  protected readonly merging: MergeChoices = new MergeChoices(() => this.conflict()?.merge);
  protected readonly versions = computed(() => (this.conflict()?.merge.leaves ?? []).map(versionInfo));
  /** The same conflict resolved on two devices: compared two-way, though their common version is stored. */
  protected readonly rival = computed(() => rivalResolutions(this.conflict()?.merge.leaves ?? []));
  protected readonly title = computed(() => {
    const live = this.conflict()?.merge.leaves.find((leaf) => !leaf._deleted);
    return typeof live?.['title'] === 'string' ? live['title'] : this.id();
  });
  protected resolve(): Promise<void> {
    return this.write((conflict) => resolveMerge(conflict.merge, this.merging.choices(), this.resolver.mergeStamp()));
  }

  protected keep(rev: string): Promise<void> {
    return this.write((conflict) => keepLeaf(conflict.merge, rev, this.resolver.mergeStamp()));
  }

  private async write(decide: (conflict: LoadedConflict) => Resolution): Promise<void> {
    const conflict = this.conflict();
    if (!conflict) return;
    let settled = false;
    const saved = await this.editable.save(async () => {
      settled = await this.resolver.resolve(conflict.db, decide(conflict));
    });
    this.overtaken.set(saved && !settled);
    if (!saved) return;
    if (settled) await this.router.navigateByUrl('/conflicts');
    // Saved, and another version arrived meanwhile: the page shows the versions now, the result among them.
    else await this.editable.reload();
  }
}
