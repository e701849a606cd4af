/**
 * Turning a merge plus the user's choices into the writes that end a conflict: the merged
 * document on top of the winning revision and a tombstone on every other leaf.
 */
import { jsonEqual } from './json-equal';
import { contentOf, mergeLeaves, type Choices, type MergeResult } from './three-way-merge';
import type { Attachment, FetchRevision, LeafDoc, MergeTrail, StoredDoc } from './stored-doc';

export interface MergeStamp {
  mergedBy: string;
  mergedAt: string;
}

export interface Resolution {
  /** The leaves being resolved, the winning revision first. */
  leaves: LeafDoc[];
  /** What the winning revision becomes, or null when the document is deleted. */
  doc: (StoredDoc & MergeTrail) | null;
}

/**
 * Deleted leaf written by a resolution. `mergedInto` (the winning revision at the time) tells it
 * apart from a deletion made by a user, which is a conflict of its own.
 */
export interface ResolutionTombstone {
  _id: string;
  _rev: string;
  _deleted: true;
  mergedInto: string;
}

/** A stub keeps the attachment of the revision being updated; inline base64 data uploads it. */
export type AttachmentWrite =
  { stub: true; digest: string; content_type: string; length?: number } | { content_type: string; data: string };

export interface MergedDocWrite extends MergeTrail {
  _id: string;
  _rev: string;
  _attachments?: Record<string, AttachmentWrite>;
  [field: string]: unknown;
}

export type ResolutionWrite = MergedDocWrite | ResolutionTombstone;

export class UnresolvedConflictsError extends Error {
  constructor(readonly paths: string[]) {
    super(`no choice made for ${paths.join(', ')}`);
    this.name = 'UnresolvedConflictsError';
  }
}

/**
 * Applies the choices (per conflict path, the rev of the leaf to take the value from) and stamps
 * the merge trail. Throws UnresolvedConflictsError unless every conflict that still matters has a choice.
 */
export function resolveMerge(merge: MergeResult, choices: Choices, stamp: MergeStamp): Resolution {
  const remerged = mergeLeaves(merge.leaves, merge.ancestor, choices);
  const unresolved = unresolvedPaths(remerged, choices);
  if (unresolved.length > 0) throw new UnresolvedConflictsError(unresolved);
  const { leaves, merged } = remerged;
  return {
    leaves,
    doc: merged && { ...merged, mergedFrom: leaves.map((leaf) => leaf._rev), ...stamp },
  };
}

/** Paths of `merge` (made with `choices`) that still need a choice before it can be resolved. */
export function unresolvedPaths(merge: MergeResult, choices: Choices): string[] {
  // Once the document is deleted, the remaining conflicts are moot.
  if (merge.merged === null) return [];
  return merge.conflicts.filter((conflict) => choices[conflict.path] === undefined).map((conflict) => conflict.path);
}

/**
 * Keeps one leaf exactly as it is — its content, or its deletion — instead of merging: "keep this
 * version". Changes made only on the other leaves are dropped.
 */
export function keepLeaf(merge: MergeResult, rev: string, stamp: MergeStamp): Resolution {
  const kept = merge.leaves.find((leaf) => leaf._rev === rev);
  if (!kept) throw new Error(`${rev} is not one of the conflicting leaves`);
  // Merged with nothing, the leaf comes out as a merge writes a document: no `_revisions`, same fields.
  const { merged } = mergeLeaves([kept], null);
  const [winner] = merge.leaves;
  return {
    leaves: merge.leaves,
    doc: merged && { ...merged, _rev: winner._rev, mergedFrom: merge.leaves.map((leaf) => leaf._rev), ...stamp },
  };
}

/** Whether `write` is the tombstone that deletes the record, not one that only ends a losing branch. */
export function deletesRecord(write: ResolutionWrite): boolean {
  return write._deleted === true && write.mergedInto === write._rev;
}

export function isResolutionTombstone(doc: StoredDoc): boolean {
  return doc._deleted === true && typeof doc['mergedInto'] === 'string';
}

/**
 * The `bulkDocs` payload for a resolution. When the document is kept, the first entry is the
 * merged document and must be written (and succeed) before the tombstones, so a rejected merge
 * never loses the other leaves.
 *
 * Attachments the winning revision already has stay stubs; any other one is inlined, with its data
 * loaded through `fetchRevision(rev, {attachments: true})` from a leaf that has it (CouchDB only
 * accepts stubs for attachments of the revision being updated).
 */
export async function resolutionBulkDocs(resolution: Resolution, fetchRevision: FetchRevision): Promise<ResolutionWrite[]> {
  const [winner] = resolution.leaves;
  if (resolution.doc === null) {
    return resolution.leaves.filter((leaf) => !leaf._deleted).map((leaf) => tombstone(leaf, winner._rev));
  }
  // The winning version as it stands (kept, or a merge that took nothing from the others): only the
  // other leaves end. A new revision on it would be a change of the record, which the rules may
  // refuse the one resolving (an inspector, of a defect approved meanwhile): the conflict stayed for good.
  if (!winner._deleted && jsonEqual(contentOf(winner), contentOf(resolution.doc))) return losingLeafTombstones(resolution.leaves);
  const { _attachments, ...doc } = resolution.doc;
  const head: MergedDocWrite = _attachments
    ? { ...doc, _attachments: await attachmentWrites(_attachments, resolution.leaves, fetchRevision) }
    : doc;
  return [head, ...losingLeafTombstones(resolution.leaves)];
}

/**
 * Tombstones on every leaf but the winning one (`leaves` start with it), which stays as it is.
 * They carry nothing device-specific, so two devices ending the same leaves write identical
 * revisions (PouchDB and CouchDB derive revision ids from the content) instead of new conflicts.
 */
export function losingLeafTombstones(leaves: readonly LeafDoc[]): ResolutionTombstone[] {
  const [winner, ...others] = leaves;
  return others.map((leaf) => tombstone(leaf, winner._rev));
}

function tombstone(leaf: LeafDoc, winnerRev: string): ResolutionTombstone {
  return { _id: leaf._id, _rev: leaf._rev, _deleted: true, mergedInto: winnerRev };
}

async function attachmentWrites(
  attachments: Record<string, Attachment>,
  leaves: readonly LeafDoc[],
  fetchRevision: FetchRevision,
): Promise<Record<string, AttachmentWrite>> {
  const [winner] = leaves;
  const leavesWithData = new Map<string, StoredDoc | null>();
  const loadWithData = async (rev: string) => {
    if (!leavesWithData.has(rev)) leavesWithData.set(rev, await fetchRevision(rev, { attachments: true }));
    return leavesWithData.get(rev);
  };
  const writes: Record<string, AttachmentWrite> = {};
  for (const [name, { digest, content_type, length }] of Object.entries(attachments)) {
    if (winner._attachments?.[name]?.digest === digest) {
      writes[name] = { stub: true, digest, content_type, length };
      continue;
    }
    const source = leaves.find((leaf) => leaf._attachments?.[name]?.digest === digest);
    const loaded = source && (await loadWithData(source._rev))?._attachments?.[name];
    if (!loaded?.data || loaded.digest !== digest) {
      throw new Error(`attachment ${name} (${digest}) is no longer available; load the conflict again`);
    }
    writes[name] = { content_type, data: loaded.data };
  }
  return writes;
}
