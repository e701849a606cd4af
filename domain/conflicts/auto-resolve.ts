/** Resolving, without asking anyone, the conflicts whose leaves changed different things. */
import type { FieldbookDoc } from '../doc-types';
import { jsonEqual } from './json-equal';
import { resolutionViolations, type UserCtx } from './apply-resolution';
import { revisionFetcher, writeResolutions, type ConflictDb } from './conflict-db';
import {
  deletesRecord,
  losingLeafTombstones,
  resolutionBulkDocs,
  resolveMerge,
  type Resolution,
  type ResolutionWrite,
} from './conflict-resolution';
import { findConflictedDocs, mergeConflictedDoc, type ConflictedDoc } from './conflicted-docs';
import type { LeafDoc } from './stored-doc';
import { contentOf, type MergeResult } from './three-way-merge';

/**
 * The device an automatic merge says it was made on. The merge is a pure function of the leaves
 * (and their ancestor): stamped with no device of its own and dated by the newest leaf's change,
 * it is the same document on every device that makes it. PouchDB (`deterministic_revs`, its
 * default) and CouchDB derive a revision id from the parent revision and the content, so two
 * tablets merging the same conflict write the same revisions: replication finds nothing new to
 * send, and there is no second merge to echo back. Unlike `new_edits: false` writes with ids of
 * our own, these stay ordinary updates of the leaves: a leaf another write has moved on from
 * answers 409 instead of growing a new branch.
 */
export const AUTO_MERGE_DEVICE_ID = 'auto-merge';

/** Auto-merge per document type; on for any type not set to false. */
export type AutoMergeSettings = Partial<Record<FieldbookDoc['type'], boolean>>;

export interface AutoResolveOptions {
  /** Recorded as `mergedBy` on the merged document. */
  mergedBy: string;
  /** Who writes: the payload is checked against the document rules as this user before writing. */
  userCtx: UserCtx;
  /**
   * The merged document's `updatedBy`: a user's write must name them (the rules). Without it (a
   * server admin) the newest leaf's stays.
   */
  updatedBy?: string;
  autoMerge?: AutoMergeSettings;
}

/** `changed`: its leaves changed while it was being merged (another device's resolution arrived). */
export type LeftAloneReason = 'auto-merge-off' | 'needs-choice' | 'invalid' | 'changed' | 'write-failed';

export type AutoResolveOutcome =
  | { id: string; status: 'resolved'; rev: string; mergedFrom: string[]; deleted: boolean }
  /** `details`: conflict paths, rule violations or write errors, depending on the reason. */
  | { id: string; status: 'left'; reason: LeftAloneReason; details: string[] };

/**
 * Merges what can be merged without a choice and writes every resulting resolution in two
 * `bulkDocs` calls (see `writeResolutions`), so many conflicts cost little more than a few.
 * Each is written only if the document's leaves, read again just before writing, are still the
 * ones merged: `docs` may be older than a resolution that has arrived since.
 */
export async function autoResolveConflicts(
  db: ConflictDb,
  docs: readonly ConflictedDoc[],
  options: AutoResolveOptions,
): Promise<AutoResolveOutcome[]> {
  const planned: (Planned | AutoResolveOutcome)[] = [];
  for (const doc of docs) planned.push(await plan(db, doc, options));
  const current = await currentLeaves(
    db,
    planned.filter((entry): entry is Planned => 'writes' in entry),
  );
  for (const [i, entry] of planned.entries()) {
    if ('writes' in entry && current.get(entry.id) !== leafKey(entry.mergedFrom)) {
      planned[i] = { id: entry.id, status: 'left', reason: 'changed', details: [] };
    }
  }
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
  const resolution = winnerStands ? null : autoMerged(merge, options);
  const writes = resolution
    ? (await resolutionBulkDocs(resolution, revisionFetcher(db, id))).map((write) => autoStamped(write, merge.leaves, options))
    : losingLeafTombstones(merge.leaves);
  const [winner] = merge.leaves;
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
    // Also a merge that came out as the winner's content: resolutionBulkDocs writes nothing on it.
    winnerStands: writes.every((write) => write._rev !== winner._rev),
    winnerRev: winner._rev,
  };
}

/** The merge with its trail and audit fields, all from the leaves: see AUTO_MERGE_DEVICE_ID. */
function autoMerged(merge: MergeResult, options: AutoResolveOptions): Resolution {
  // The merge carries the newest leaf's bookkeeping (three-way-merge's latest-wins fields).
  const newestChange = merge.merged?.['updatedAt'];
  const mergedAt = typeof newestChange === 'string' ? newestChange : '';
  const resolution = resolveMerge(merge, {}, { mergedBy: options.mergedBy, mergedAt });
  if (!resolution.doc) return resolution;
  const { deviceName: _newestLeafsDevice, ...doc } = resolution.doc;
  const writer = options.updatedBy === undefined ? {} : { updatedBy: options.updatedBy };
  return { ...resolution, doc: { ...doc, ...writer, deviceId: AUTO_MERGE_DEVICE_ID } };
}

/**
 * The tombstone that deletes the record (a merge whose result is a deletion) stamped like an
 * automatic merge: by the writer (or, for a server admin, whoever deleted it), at the newest
 * leaf's change, on no device. Stamped now and here, as a person's deletion is, every device
 * making it wrote an audit entry of its own.
 */
function autoStamped(write: ResolutionWrite, leaves: readonly LeafDoc[], options: AutoResolveOptions): ResolutionWrite {
  if (!deletesRecord(write)) return write;
  const stamps = leaves.flatMap((leaf) => {
    const { updatedBy: by, updatedAt: at } = leaf;
    return typeof by === 'string' && typeof at === 'string' ? [{ by, at, deleted: leaf._deleted === true }] : [];
  });
  if (stamps.length === 0) return write;
  const newestAt = stamps.map((stamp) => stamp.at).sort()[stamps.length - 1];
  const updatedBy = options.updatedBy ?? (stamps.find((stamp) => stamp.deleted) ?? stamps[0]).by;
  return { ...write, updatedBy, updatedAt: newestAt, deviceId: AUTO_MERGE_DEVICE_ID };
}

/** Per planned document, its leaves as stored now (`leafKey`); a document no longer conflicted has none. */
async function currentLeaves(db: ConflictDb, planned: readonly Planned[]): Promise<Map<string, string>> {
  const docs = await findConflictedDocs(
    db,
    planned.map((entry) => entry.id),
  );
  return new Map(docs.map((doc) => [doc.id, leafKey(doc.leaves.map((leaf) => leaf._rev))]));
}

function leafKey(revs: readonly string[]): string {
  return [...revs].sort().join(' ');
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
