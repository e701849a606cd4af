import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router, RouterLink } from '@angular/router';
import { switchMap, throttleTime } from 'rxjs';
import { MergeStamp, Resolution, keepLeaf, resolveMerge } from '../../../domain/conflicts/conflict-resolution';
import { MergeResult } from '../../../domain/conflicts/three-way-merge';
import { Inspection } from '../../../domain/doc-types';
import { inspectionOwner } from '../../../domain/inspection-owner';
import { AuditHistoryComponent } from '../audit/audit-history.component';
import { AUDIT_SOURCE, AuditSource } from '../audit/audit-source';
import { KeepVersionButtonComponent } from '../conflicts/keep-version-button.component';
import { MergeChoices } from '../conflicts/merge-choices';
import { MergeGridComponent, MergeVersionDirective } from '../conflicts/merge-grid.component';
import { UnresolvedFieldsComponent } from '../conflicts/unresolved-fields.component';
import { textOf, versionInfo, versionsKey } from '../conflicts/version-info';
import { apiErrorMessage } from '../core/api-error-message';
import { ValidationError } from '../data/validation-bridge';
import { INSPECTION_STATUS_LABELS } from '../inspections/inspection-status';
import { ATTACHMENT_SOURCE, AttachmentReader } from '../photos/attachment-url';
import { InspectionSheetComponent } from '../inspections/inspection-sheet.component';
import { confirm } from '../shared/confirm';
import { AppDatePipe } from '../shared/date-format';
import { DirectoryErrorComponent } from './directory-error.component';
import { DirectoryState } from './directory-state';
import { Decision, HubDefect, HubService, ReviewRecord } from './hub.service';

/** How long "Undo" is offered after a decision: until it has had time to travel on from the hub. */
const UNDO_MS = 10_000;

/** Changes of the inspection heard within this time of each other are read as one. */
const CHANGE_BURST_MS = 300;

interface Loaded {
  /** The winning version, when there are several. */
  inspection: Inspection;
  defects: HubDefect[];
  /** The versions side by side, when it was changed in two places and nobody settled it yet. */
  conflict: MergeResult | null;
}

/**
 * One team inspection as the supervisor reviews it, read-only from the hub: its basics, the
 * whole checklist, its defects with their photos. A submitted one can be approved (shared
 * with the partners picked) or rejected with a comment, an approved one reopened (taken back
 * from its partners), each confirmed first and undoable for a short while from the snack bar.
 * It follows the hub live: what others change shows. One changed in two places (a reassignment
 * racing an offline edit, proxy/hub-conflict-merge.ts) shows its versions side by side, to be
 * settled as on a tablet before anything else is decided on it.
 */
@Component({
  selector: 'app-review-page',
  imports: [
    AppDatePipe,
    RouterLink,
    ReactiveFormsModule,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    InspectionSheetComponent,
    AuditHistoryComponent,
    DirectoryErrorComponent,
    KeepVersionButtonComponent,
    MergeGridComponent,
    MergeVersionDirective,
    UnresolvedFieldsComponent,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { class: 'page', style: '--page-width: 900px' },
  providers: [
    {
      provide: ATTACHMENT_SOURCE,
      useFactory: (): AttachmentReader => {
        const hub = inject(HubService);
        return (...read) => hub.attachment(...read);
      },
    },
    {
      provide: AUDIT_SOURCE,
      useFactory: (): AuditSource => {
        const hub = inject(HubService);
        return { entries: (docId) => hub.history$(docId) };
      },
    },
  ],
  templateUrl: './review.page.html',
  styleUrl: './review.page.css',
})
export class ReviewPage {
  private readonly hub = inject(HubService);
  private readonly dialog = inject(MatDialog);
  private readonly snackBar = inject(MatSnackBar);
  private readonly router = inject(Router);
  /** Whose inspection it is (its assignee, else its creator), as the replication jobs decide. */
  protected readonly ownerOf = inspectionOwner;

  /** The inspection's id, from the route. */
  readonly id = input.required<string>();

  protected readonly statusLabels = INSPECTION_STATUS_LABELS;
  protected readonly loaded = signal<Loaded | null>(null);
  protected readonly loadError = signal('');
  protected readonly decisionError = signal('');
  protected readonly busy = signal(false);
  /** Fills the partner and reassignment pickers; without it, decisions still work, and the page says why they are empty. */
  protected readonly directory = new DirectoryState();
  protected readonly comment = new FormControl('', { nonNullable: true });
  protected readonly partners = new FormControl<string[]>([], { nonNullable: true });
  /** Who the inspection is to be given to. */
  protected readonly reassignTo = new FormControl('', { nonNullable: true });
  /** How many reads of the hub this page has started. */
  private reads = 0;
  protected readonly decidable = computed(() => this.loaded()?.inspection.status === 'submitted' && !this.loaded()?.conflict);
  /** The supervisor's choices between the versions, while there are several. */
  protected readonly merging = new MergeChoices(() => this.loaded()?.conflict);
  /** Who saved each version, when, and whose inspection it makes it. */
  protected readonly versions = computed(() => (this.loaded()?.conflict?.leaves ?? []).map(versionSummary));

  constructor() {
    // The page reads the hub when its feed of the inspection is set up (what is read then is
    // current), and again whenever others change it (the inspector's tablet, another
    // supervisor): a decision is made on the inspection as it is now. A write touches the
    // inspection and its defects together: a burst of changes is read at its start and once more
    // at its end. While the hub is out of reach, the page says so; the feed keeps trying.
    toObservable(this.id)
      .pipe(
        switchMap((id) =>
          this.hub
            .watch(id, (error) => this.couldNotLoad(error))
            .pipe(throttleTime(CHANGE_BURST_MS, undefined, { leading: true, trailing: true })),
        ),
        takeUntilDestroyed(),
      )
      .subscribe(() => void this.load());
    void this.directory.load();
  }

  protected async load(): Promise<void> {
    const id = this.id();
    const read = ++this.reads;
    // Reads overlap (a burst of changes, a decision's own read): one that answers after a later one is old news.
    const latest = () => read === this.reads && id === this.id();
    this.loadError.set('');
    try {
      const [inspection, defects, conflict] = await Promise.all([this.hub.inspection(id), this.hub.defectsOf(id), this.hub.conflictOf(id)]);
      if (!latest()) return;
      if (versionsKey(conflict) !== versionsKey(this.loaded()?.conflict)) this.merging.reset();
      this.loaded.set({ inspection, defects, conflict });
    } catch (error) {
      if (latest()) this.couldNotLoad(error);
    }
  }

  /** Settles the versions with the value chosen for each field they differ on. */
  protected settle(): Promise<void> {
    return this.settleWith((merge, stamp) => resolveMerge(merge, this.merging.choices(), stamp));
  }

  /** Settles the versions by keeping one of them whole: a deletion deletes the inspection, and the page goes back to the queue. */
  protected keep(rev: string): Promise<void> {
    const deletes = this.loaded()?.conflict?.leaves.some((leaf) => leaf._rev === rev && leaf._deleted) ?? false;
    return this.settleWith((merge, stamp) => keepLeaf(merge, rev, stamp), deletes);
  }

  private async settleWith(decide: (merge: MergeResult, stamp: MergeStamp) => Resolution, deletes = false): Promise<void> {
    const merge = this.loaded()?.conflict;
    if (!merge) return;
    await this.write(async () => {
      const settled = await this.hub.settle((stamp) => decide(merge, stamp));
      // Nothing left to review here.
      if (settled && deletes) {
        await this.router.navigateByUrl('/supervisor');
        return;
      }
      await this.load();
      if (settled) this.snackBar.open($localize`:@@review.conflict.settled:Settled: one version now.`, undefined, { duration: 4_000 });
      else
        this.decisionError.set(
          $localize`:@@review.conflict.overtaken:Saved, and meanwhile another version arrived: here are the versions now; settle them again.`,
        );
    });
  }

  private couldNotLoad(error: unknown): void {
    this.loadError.set(apiErrorMessage(error, $localize`:@@review.loadError:This inspection could not be loaded`));
  }

  protected async decide(decision: Decision): Promise<void> {
    const current = this.loaded();
    if (!current) return;
    const partners = decision === 'approved' ? this.partners.value : [];
    const confirmed = await confirm(this.dialog, confirmation(decision, current.inspection, partners));
    if (!confirmed) return;
    await this.write(async () => {
      const record = await this.hub.review(current.inspection, decision, this.comment.value, partners, current.defects);
      await this.load();
      this.offerUndo(record);
    });
  }

  /** Gives the inspection to another inspector; the one it is taken from has it leave their tablet at their next sync. */
  protected async reassign(): Promise<void> {
    const current = this.loaded();
    const to = this.reassignTo.value;
    if (!current || !to) return;
    await this.write(async () => {
      await this.hub.reassign(current.inspection, to);
      await this.load();
      this.reassignTo.reset();
      const title = current.inspection.title;
      this.snackBar.open($localize`:@@review.reassigned:"${title}:title:" reassigned to ${to}:inspector:.`, undefined, { duration: 4_000 });
    });
  }

  private offerUndo(record: ReviewRecord): void {
    const done =
      record.decision === 'approved'
        ? $localize`:@@review.approved:Approved.`
        : record.before[0].status === 'approved'
          ? $localize`:@@review.reopened:Reopened.`
          : $localize`:@@review.rejected:Rejected.`;
    const ref = this.snackBar.open(done, $localize`:@@review.undo:Undo`, { duration: UNDO_MS });
    ref.onAction().subscribe(() =>
      this.write(async () => {
        await this.hub.undo(record);
        await this.load();
        this.snackBar.open($localize`:@@review.undone:Decision undone: waiting for review again.`, undefined, { duration: 4_000 });
      }),
    );
  }

  /** Runs a write; what went wrong is said on the page, and the comment and partners stay as typed. */
  private async write(work: () => Promise<void>): Promise<void> {
    this.decisionError.set('');
    this.busy.set(true);
    try {
      await work();
    } catch (error) {
      if (error instanceof ValidationError) this.decisionError.set(error.message);
      else if ((error as { status?: number }).status === 409) {
        this.decisionError.set($localize`:@@review.changed:This inspection changed meanwhile: it is shown as it is now; decide again.`);
        await this.load();
      } else this.decisionError.set(apiErrorMessage(error, $localize`:@@review.writeError:The decision could not be saved`));
    } finally {
      this.busy.set(false);
    }
  }
}

/** A version's column head: who saved it, when, and whose inspection it makes it. */
function versionSummary(leaf: MergeResult['leaves'][number], index: number) {
  const owner = inspectionOwner({ assignedTo: textOf(leaf['assignedTo']) ?? undefined, createdBy: textOf(leaf['createdBy']) ?? undefined });
  return { ...versionInfo(leaf, index), owner };
}

function confirmation(decision: Decision, { title, status, partners: sharedWith }: Inspection, partners: readonly string[]) {
  if (status === 'approved') {
    return {
      title: $localize`:@@review.confirmReopen.title:Reopen this approved inspection?`,
      message: sharedWith?.length
        ? $localize`:@@review.confirmReopen.shared:"${title}:title:" goes back to its inspector to be corrected and is taken back from ${sharedWith.join(', ')}:partners:.`
        : $localize`:@@review.confirmReject.message:"${title}:title:" goes back to its inspector to be corrected.`,
      confirm: $localize`:@@review.reopen:Reopen`,
      cancel: $localize`:@@review.cancel:Cancel`,
      testId: 'confirm-reopen',
    };
  }
  if (decision === 'rejected') {
    return {
      title: $localize`:@@review.confirmReject.title:Reject this inspection?`,
      message: $localize`:@@review.confirmReject.message:"${title}:title:" goes back to its inspector to be corrected.`,
      confirm: $localize`:@@review.reject:Reject`,
      cancel: $localize`:@@review.cancel:Cancel`,
      testId: 'confirm-reject',
    };
  }
  return {
    title: $localize`:@@review.confirmApprove.title:Approve this inspection?`,
    message: partners.length
      ? $localize`:@@review.confirmApprove.shared:"${title}:title:" becomes read-only and is shared with ${partners.join(', ')}:partners:.`
      : $localize`:@@review.confirmApprove.message:"${title}:title:" becomes read-only.`,
    confirm: $localize`:@@review.approve:Approve`,
    cancel: $localize`:@@review.cancel:Cancel`,
    testId: 'confirm-approve',
  };
}
