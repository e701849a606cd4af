/** Resolving, without asking anyone, the conflicts whose leaves changed different things. */
import type { FieldbookDoc } from '../doc-types';
import { docViolations } from '../validation/doc-rules';
import { revisionFetcher, writeResolution, type ConflictDb } from './conflict-db';
import { resolutionBulkDocs, resolveMerge } from './conflict-resolution';
import { mergeConflictedDoc, type ConflictedDoc } from './conflicted-docs';

export interface AutoResolveOptions {
  /** Recorded as `mergedBy` on the merged document. */
  mergedBy: string;
  /** Who writes: the payload is checked against the document rules as this user before writing. */
  userCtx: { name: string | null; roles: string[] };
  /** Auto-merge per document type; on for any type not set to false. */
  autoMerge?: Partial<Record<FieldbookDoc['type'], boolean>>;
  now?: () => Date;
}

export type LeftAloneReason = 'auto-merge-off' | 'needs-choice' | 'invalid' | 'write-failed';

export type AutoResolveOutcome =
  | { id: string; status: 'resolved'; rev: string; mergedFrom: string[]; deleted: boolean }
  /** `details`: conflict paths, rule violations or write errors, depending on the reason. */
  | { id: string; status: 'left'; reason: LeftAloneReason; details: string[] };

export async function autoResolveConflicts(
  db: ConflictDb,
  docs: readonly ConflictedDoc[],
  options: AutoResolveOptions,
): Promise<AutoResolveOutcome[]> {
  const outcomes: AutoResolveOutcome[] = [];
  for (const doc of docs) outcomes.push(await autoResolve(db, doc, options));
  return outcomes;
}

async function autoResolve(db: ConflictDb, doc: ConflictedDoc, options: AutoResolveOptions): Promise<AutoResolveOutcome> {
  const { id, leaves } = doc;
  const left = (reason: LeftAloneReason, details: string[]): AutoResolveOutcome => ({ id, status: 'left', reason, details });
  if (!autoMergeEnabled(options, leaves[0]['type'])) return left('auto-merge-off', []);

  const merge = await mergeConflictedDoc(db, doc);
  if (merge.conflicts.length > 0) return left('needs-choice', merge.conflicts.map((conflict) => conflict.path));

  const mergedAt = (options.now ?? (() => new Date()))().toISOString();
  const resolution = resolveMerge(merge, {}, { mergedBy: options.mergedBy, mergedAt });
  const writes = await resolutionBulkDocs(resolution, revisionFetcher(db, id));
  const violations = writes.flatMap((write) => {
    const leaf = leaves.find((candidate) => candidate._rev === write._rev) ?? null;
    return docViolations(write, leaf, options.userCtx).map((violation) => `${write._rev}: ${violation}`);
  });
  if (violations.length > 0) return left('invalid', violations);

  const written = await writeResolution(db, writes);
  if (!written.ok) return left('write-failed', written.errors);
  const mergedFrom = merge.leaves.map((leaf) => leaf._rev);
  return { id, status: 'resolved', rev: written.rev, mergedFrom, deleted: resolution.doc === null };
}

function autoMergeEnabled(options: AutoResolveOptions, type: unknown): boolean {
  const isDocType = (value: unknown): value is FieldbookDoc['type'] => value === 'inspection' || value === 'defect';
  return !isDocType(type) || options.autoMerge?.[type] !== false;
}
