import { Injectable, inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { AutoMergeSettings, AutoResolveOutcome, autoResolveConflicts } from '../../../domain/conflicts/auto-resolve';
import { ConflictDb } from '../../../domain/conflicts/conflict-db';
import { MergeStamp, Resolution } from '../../../domain/conflicts/conflict-resolution';
import { ConflictedDoc } from '../../../domain/conflicts/conflicted-docs';
import { ConflictIndexService } from '../core/conflict-index.service';
import { DocWriterService } from '../data/doc-writer.service';
import { PhotoRestoreService } from '../data/photo-restore.service';
import { DefectRestoreOutcome, DefectRestoreService, defectsDeletedWith } from './defect-restore.service';
import { ResolutionWriterService } from './resolution-writer.service';

/** How long a notice about a resolution stays. */
const NOTICE_MS = 10_000;

/** A defect to bring back that is back, or will be once the server can be asked. */
const BACK_OR_COMING: ReadonlySet<DefectRestoreOutcome> = new Set(['restored', 'live', 'waiting']);

/**
 * Ends conflicts as the logged-in user: a person's resolution from the conflict page, and the
 * automatic merges. domain/conflicts builds and checks the writes; DocWriterService stamps and
 * writes them (through the `ConflictDb` of ConflictStoreService), a person's through ResolutionWriterService.
 */
@Injectable({ providedIn: 'root' })
export class ConflictResolverService {
  private readonly writer = inject(DocWriterService);
  private readonly conflictIndex = inject(ConflictIndexService);
  private readonly resolutions = inject(ResolutionWriterService);
  private readonly photos = inject(PhotoRestoreService);
  private readonly defects = inject(DefectRestoreService);
  private readonly snackBar = inject(MatSnackBar);

  /** Who merges and when, for a resolution the logged-in user makes now. */
  mergeStamp(): MergeStamp {
    return this.resolutions.mergeStamp();
  }

  /**
   * Writes a resolution as ResolutionWriterService does (it throws ValidationError or
   * ResolutionConflictError, and answers false when another version of a losing leaf arrived
   * meanwhile), then what a resolution on this tablet brings along.
   *
   * A defect kept over its deletion (or over the removal of a photo) gets back the photo
   * documents that deletion took with it (PhotoRestoreService), after the result is written; when
   * that fails (offline), the result stands, the failure is logged, and the next start tries again
   * while the conflict is open (AutoResolverService). An inspection kept over its deletion gets
   * back the defects that deletion took (DefectRestoreService), after the result is written too;
   * a notice says how many could not come back (refused, lost) and how many wait for the server.
   */
  async resolve(db: ConflictDb, resolution: Resolution): Promise<boolean> {
    const settled = await this.resolutions.write(db, resolution);
    // Not awaited: it asks the server, and a slow network must not hold the user's decision.
    if (resolution.doc?.['type'] === 'defect') void this.keepPhotos(resolution.doc, resolution.leaves);
    if (resolution.doc?.['type'] === 'inspection') void this.keepDefects(resolution.doc, resolution.leaves);
    // Written in part: the conflict index sees the write, and keeps the document listed.
    if (!settled) return false;
    this.conflictIndex.resolved([resolution.leaves[0]._id]);
    return true;
  }

  /**
   * Merges the conflicts whose versions changed different things; the rest stay for a person.
   * Unlike a person's resolution, the merge names no device and no time of its own: every tablet
   * of this user that merges the same versions writes the same revision (AUTO_MERGE_DEVICE_ID).
   */
  async autoResolve(db: ConflictDb, docs: readonly ConflictedDoc[], autoMerge: AutoMergeSettings): Promise<AutoResolveOutcome[]> {
    const author = this.writer.author();
    const outcomes = await autoResolveConflicts(db, docs, { mergedBy: author.name, updatedBy: author.name, userCtx: author, autoMerge });
    this.conflictIndex.resolved(outcomes.filter((outcome) => outcome.status === 'resolved').map((outcome) => outcome.id));
    return outcomes;
  }

  /**
   * Brings back the defects the deletion of a kept inspection took, and says how many could not
   * come back and how many will once the server can be asked.
   */
  private async keepDefects(kept: { _id: string; title?: unknown }, leaves: readonly Record<string, unknown>[]): Promise<void> {
    let missing: number;
    let waiting = 0;
    try {
      const outcomes = [...(await this.defects.keepDefects(kept._id, leaves)).values()];
      waiting = outcomes.filter((outcome) => outcome === 'waiting').length;
      missing = outcomes.filter((outcome) => !BACK_OR_COMING.has(outcome)).length;
    } catch (error) {
      // Not even noted to try again (the database closed meanwhile).
      console.error('The defects of a kept inspection could not be brought back', kept._id, error);
      missing = defectsDeletedWith(leaves).length;
    }
    if (!missing && !waiting) return;
    const title = typeof kept.title === 'string' ? kept.title : kept._id;
    const notice = missing
      ? $localize`:@@conflict.defectsNotBack:"${title}:title:" is kept, but ${missing}:count: of the defects deleted with it could not be brought back.`
      : $localize`:@@conflict.defectsComingBack:"${title}:title:" is kept; ${waiting}:count: of the defects deleted with it will come back once the server can be reached.`;
    const more =
      missing && waiting
        ? ' ' + $localize`:@@conflict.otherDefectsComingBack:${waiting}:count: others will come back once the server can be reached.`
        : '';
    this.snackBar.open(notice + more, $localize`:@@conflict.noticeOk:OK`, { duration: NOTICE_MS });
  }

  private async keepPhotos(kept: { _id: string; _attachments?: object }, leaves: readonly { _attachments?: object }[]): Promise<void> {
    try {
      await this.photos.keepPhotos(kept, leaves);
    } catch (error) {
      console.error('The photos of a kept defect could not be brought back', kept._id, error);
    }
  }
}
