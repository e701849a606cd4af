/** Resolving, without asking anyone, the conflicts whose leaves changed different things. */
import type { FieldbookDoc } from '../doc-types';
import { jsonEqual } from './json-equal';
import { resolutionViolations, type UserCtx } from './apply-resolution';
import { revisionFetcher, writeResolutions, type ConflictDb } from './conflict-db';
import { losingLeafTombstones, resolutionBulkDocs, resolveMerge, type Resolution, type ResolutionWrite } from './conflict-resolution';
import { mergeConflictedDoc, type ConflictedDoc } from './conflicted-docs';
import type { LeafDoc, MergeTrail, StoredDoc } from './stored-doc';
import { contentOf } from './three-way-merge';

export type MergedDoc = StoredDoc & MergeTrail;

/** Auto-merge per document type; on for any type not set to false. */
export type AutoMergeSettings = Partial<Record<FieldbookDoc['type'], boolean>>;

export interface AutoResolveOptions {
  /** Recorded as `mergedBy` on the merged document. */
  mergedBy: string;
  /** Who writes: the payload is checked against the document rules as this user before writing. */
  userCtx: UserCtx;
  autoMerge?: AutoMergeSettings;
  now?: () => Date;
  /**
   * Sets the writer's own fields on the merged document before it is checked and written — an app
   * writing as a user sets the audit fields, which the rules require to name the writer.
   */
  audit?: (merged: MergedDoc) => MergedDoc;
}

export type LeftAloneReason = 'auto-merge-off' | 'needs-choice' | 'invalid' | 'write-failed';

export type AutoResolveOutcome =
  | { id: string; status: 'resolved'; rev: string; mergedFrom: string[]; deleted: boolean }
  /** `details`: conflict paths, rule violations or write errors, depending on the reason. */
  | { id: string; status: 'left'; reason: LeftAloneReason; details: string[] };

/**
 * Merges what can be merged without a choice and writes every resulting resolution in two
 * `bulkDocs` calls (see `writeResolutions`), so many conflicts cost little more than a few.
 */
export async function autoResolveConflicts(
  db: ConflictDb,
  docs: readonly ConflictedDoc[],
  options: AutoResolveOptions,
): Promise<AutoResolveOutcome[]> {
  const planned: (Planned | AutoResolveOutcome)[] = [];
  for (const doc of docs) planned.push(await plan(db, doc, options));
  const toWrite = planned.filter((entry): entry is Planned => 'writes' in entry);
  const written = await writeResolutions(
    db,
    toWrite.map((entry) => entry.writes),
  );
  const writeOutcomes = new Map(toWrite.map((entry, i) => [entry, written[i]]));
  return planned.map((entry) => {
    if (!('writes' in entry)) return entry;
    const outcome = writeOutcomes.get(entry)!;
    if (!outcome.ok) return { id: entry.id, status: 'left', reason: 'write-failed', details: outcome.errors };
    return {
      id: entry.id,
      status: 'resolved',
      rev: entry.winnerStands ? entry.winnerRev : outcome.rev,
      mergedFrom: entry.mergedFrom,
      deleted: entry.deleted,
    };
  });
}

/** A resolution checked and ready to write. */
interface Planned {
  id: string;
  writes: ResolutionWrite[];
  mergedFrom: string[];
  deleted: boolean;
  /** Only tombstones are written: the winning revision stays as it is. */
  winnerStands: boolean;
  winnerRev: string;
}

async function plan(db: ConflictDb, doc: ConflictedDoc, options: AutoResolveOptions): Promise<Planned | AutoResolveOutcome> {
  const { id, leaves } = doc;
  const left = (reason: LeftAloneReason, details: string[]): AutoResolveOutcome => ({ id, status: 'left', reason, details });
  if (!autoMergeEnabled(options.autoMerge, doc)) return left('auto-merge-off', []);

  const merge = await mergeConflictedDoc(db, doc);
  if (merge.conflicts.length > 0)
    return left(
      'needs-choice',
      merge.conflicts.map((conflict) => conflict.path),
    );

  // Typically the same conflict merged on two devices at once: a new merged revision on each would
  // conflict again, so the winner stands and the other leaves end the same way everywhere.
  const winnerStands = differOnlyInBookkeeping(merge.leaves);
  const resolution = winnerStands ? null : audited(resolveMerge(merge, {}, mergeStamp(options)), options.audit);
  const writes = resolution ? await resolutionBulkDocs(resolution, revisionFetcher(db, id)) : losingLeafTombstones(merge.leaves);
  const violations = resolutionViolations(writes, leaves, options.userCtx);
  if (violations.length > 0)
    return left(
      'invalid',
      violations.map(({ rev, violation }) => `${rev}: ${violation}`),
    );
  return {
    id,
    writes,
    mergedFrom: merge.leaves.map((leaf) => leaf._rev),
    deleted: resolution?.doc === null,
    winnerStands,
    winnerRev: merge.leaves[0]._rev,
  };
}

function mergeStamp(options: AutoResolveOptions) {
  return { mergedBy: options.mergedBy, mergedAt: (options.now ?? (() => new Date()))().toISOString() };
}

function audited(resolution: Resolution, audit: AutoResolveOptions['audit']): Resolution {
  return audit && resolution.doc ? { ...resolution, doc: audit(resolution.doc) } : resolution;
}

/** Every leaf is live and has the same content: they differ only in who saved them when. */
function differOnlyInBookkeeping(leaves: readonly LeafDoc[]): boolean {
  const [winner, ...others] = leaves;
  const content = contentOf(winner);
  return leaves.every((leaf) => !leaf._deleted) && others.every((leaf) => jsonEqual(contentOf(leaf), content));
}

/** Whether `settings` let conflicts of `doc` merge automatically (its winning leaf's type decides). */
export function autoMergeEnabled(settings: AutoMergeSettings | undefined, doc: ConflictedDoc): boolean {
  const type = doc.leaves[0]['type'];
  const isDocType = (value: unknown): value is FieldbookDoc['type'] => value === 'inspection' || value === 'defect';
  return !isDocType(type) || settings?.[type] !== false;
}
