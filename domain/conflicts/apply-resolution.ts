/** Writing the documents that end a conflict, once the document rules accept them for the writing user. */
import { docViolations } from '../doc-rules';
import { writeResolution, type ConflictDb } from './conflict-db';
import type { ResolutionWrite } from './conflict-resolution';
import type { LeafDoc } from './stored-doc';

export interface UserCtx {
  name: string | null;
  roles: string[];
}

/** A rule violation of one write, `rev` being the leaf it is written on. */
export interface ResolutionViolation {
  rev: string;
  violation: string;
}

export type ApplyOutcome =
  /** `rev`: the new revision of the first write. */
  | { status: 'written'; rev: string }
  | { status: 'invalid'; violations: ResolutionViolation[] }
  /** `written`: the first write's new revision, when it landed and a later one failed (see WriteOutcome). */
  | { status: 'write-failed'; errors: string[]; written?: string };

/**
 * Checks `writes` (from `resolutionBulkDocs` or `losingLeafTombstones`) against the document rules
 * as `userCtx`, each on the leaf it replaces, and writes them only if none is refused — so a
 * resolution the server would reject is refused here instead of replicating and bouncing.
 */
export async function applyResolution(
  db: ConflictDb,
  writes: readonly ResolutionWrite[],
  leaves: readonly LeafDoc[],
  userCtx: UserCtx,
): Promise<ApplyOutcome> {
  const violations = resolutionViolations(writes, leaves, userCtx);
  if (violations.length > 0) return { status: 'invalid', violations };
  const written = await writeResolution(db, writes);
  return written.ok ? { status: 'written', rev: written.rev } : { ...written, status: 'write-failed' };
}

/** What the document rules refuse in `writes`, each checked as `userCtx` against the leaf it replaces. */
export function resolutionViolations(
  writes: readonly ResolutionWrite[],
  leaves: readonly LeafDoc[],
  userCtx: UserCtx,
): ResolutionViolation[] {
  return writes.flatMap((write) => {
    const leaf = leaves.find((candidate) => candidate._rev === write._rev) ?? null;
    return docViolations(write, leaf, userCtx).map((violation) => ({ rev: write._rev, violation }));
  });
}
