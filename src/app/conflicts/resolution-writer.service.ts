import { Injectable, inject } from '@angular/core';
import { applyResolution } from '../../../domain/conflicts/apply-resolution';
import { ConflictDb, revisionFetcher } from '../../../domain/conflicts/conflict-db';
import { MergeStamp, Resolution, resolutionBulkDocs } from '../../../domain/conflicts/conflict-resolution';
import { CLOCK, DocWriterService } from '../data/doc-writer.service';
import { ValidationError, fieldErrors } from '../data/validation-bridge';

/** A resolution's write failed: the document changed meanwhile, as a 409 says for a save. */
export class ResolutionConflictError extends Error {
  readonly status = 409;

  constructor(readonly errors: string[]) {
    super(errors.join('; '));
    this.name = 'ResolutionConflictError';
  }
}

/**
 * Writes a person's resolution of a conflict as the logged-in user, wherever the document is: a
 * tablet's own database (ConflictResolverService) or the hub (HubService, a supervisor).
 * domain/conflicts builds and checks the writes; DocWriterService stamps them.
 */
@Injectable({ providedIn: 'root' })
export class ResolutionWriterService {
  private readonly writer = inject(DocWriterService);
  private readonly clock = inject(CLOCK);

  /** Who merges and when, for a resolution the logged-in user makes now. */
  mergeStamp(): MergeStamp {
    return { mergedBy: this.writer.author().name, mergedAt: this.clock().toISOString() };
  }

  /**
   * Writes `resolution` (`resolveMerge` or `keepLeaf` with `mergeStamp()`) through `db`: the
   * result, stamped as this user's change, on the winning revision, and tombstones on the other
   * leaves. Throws ValidationError if the rules refuse it, ResolutionConflictError if the document
   * changed meanwhile (nothing written). False when the result was written but another version of
   * a losing leaf arrived meanwhile: the document is in conflict again, the result one of its versions.
   */
  async write(db: ConflictDb, resolution: Resolution): Promise<boolean> {
    const [winner] = resolution.leaves;
    const audited = resolution.doc ? { ...resolution, doc: this.writer.stampChange(resolution.doc) } : resolution;
    // A tombstone names who made it, when and where: a deletion of the record, as one on its page
    // does (should it meet another device's edit, that conflict shows them), and a discarded
    // version, whose audit entry then says who chose the version that stands (resolution-audit.ts).
    const writes = (await resolutionBulkDocs(audited, revisionFetcher(db, winner._id))).map((write) =>
      write._deleted ? this.writer.stampChange(write) : write,
    );
    const applied = await applyResolution(db, writes, resolution.leaves, this.writer.author());
    if (applied.status === 'invalid')
      throw new ValidationError(
        fieldErrors(
          applied.violations.map(({ violation }) => violation),
          'app',
        ),
      );
    if (applied.status === 'write-failed' && applied.written === undefined) throw new ResolutionConflictError(applied.errors);
    return applied.status === 'written';
  }
}
