import { auditIdRange } from '../domain/audit-entry';
import { inspectionOwner } from '../domain/inspection-owner';
import { photoIdRangeOf } from '../domain/photo-doc';

/**
 * What reaches a user's database besides what their `assign-` job brings: that job's selector
 * sees a document's own fields only (an inspection assigned to them, or their own with no
 * assignee) and cannot join, so the defects, full-size photos and audit entries of an
 * inspection go to its owner from here, found through their defect and inspection:
 * - a change someone else made to a record of it (a supervisor's decision copied onto its
 *   defects, the previous inspector's last offline defect pushed after a reassignment);
 * - when a supervisor reassigns it (`unassignedFrom` set), everything others wrote on it, once
 *   per new owner, and the reassigning revision for the one it was taken from, so their tablet
 *   lets it go (`released`).
 * A job that matched records by `createdBy`, or inspections by `unassignedFrom`, kept sending
 * the previous inspector every later change of what was no longer theirs; a selector cannot
 * tell the first change after a reassignment from the later ones.
 */

/** A hub document as the handover reads it: the fields that tie it to its inspection, and its writer. */
export interface HubRecord {
  _id: string;
  _rev: string;
  _conflicts?: string[];
  _deleted?: boolean;
  type?: string;
  inspectionId?: string;
  defectId?: string;
  docId?: string;
  createdBy?: string;
  updatedBy?: string;
  user?: string;
  assignedTo?: string;
  unassignedFrom?: string;
  mergedFrom?: string[];
}

/** A changed hub document and its leaf revisions (a `_changes` row with `style=all_docs`). */
export interface HubChange {
  doc: HubRecord;
  revs: string[];
}

export interface HubReader {
  /** The current documents of these ids (live ones; missing ones are left out), conflicts listed. */
  docs(ids: string[]): Promise<HubRecord[]>;
  /** The defects of an inspection (by `inspectionId`), conflicts listed. */
  defectsOf(inspectionId: string): Promise<HubRecord[]>;
  /** The documents whose ids fall in `[startkey, endkey]`, conflicts listed. */
  range(startkey: string, endkey: string): Promise<HubRecord[]>;
  /** The earlier revisions of a document the hub still holds (not compacted away), the latest first. */
  ancestors(id: string, rev: string): Promise<HubRecord[]>;
}

/**
 * The inspections and defects the handover has seen (in the hub's changes or by a look-up), at
 * their latest revision: the hub's changes tell every later one, so they are parents a later
 * record's change need not look up again.
 */
export interface ParentCache {
  get(id: string): HubRecord | undefined;
  set(id: string, doc: HubRecord): void;
  delete(id: string): void;
}

/** Documents to copy into one user's database: id → the leaf revisions to copy. */
export interface Handover {
  to: string;
  leaves: Map<string, string[]>;
}

/** A reassigned inspection's revision for the user it was taken from, unless their database already shows it is not theirs. */
export interface Release {
  from: string;
  inspectionId: string;
  revs: string[];
}

/**
 * The handovers a batch of hub changes calls for. A change of a record of an inspection goes to
 * the inspection's owner unless they wrote it. A reassigned inspection's own change gathers all
 * its records for its assignee and releases it to the user it was taken from, unless
 * `handedTo` says that was done for this assignee (its later edits need not do it again; a
 * reassignment to someone else does); `gathered` lists the inspections gathered here, with
 * their assignee, for `handedTo` to remember. A record's defect and inspection are looked up in
 * the hub unless `parents` knows them; what the batch shows or the look-ups find goes into `parents`.
 */
export async function planHandovers(
  changes: HubChange[],
  hub: HubReader,
  handedTo: { get(inspectionId: string): string | undefined },
  parents: ParentCache,
): Promise<{ handovers: Handover[]; released: Release[]; gathered: [inspectionId: string, assignee: string][] }> {
  const known = new Map<string, HubRecord>(changes.map(({ doc }) => [doc._id, doc]));
  // A record new to the hub (or unseen since a restart): its entries (and a defect's photos),
  // which the writer writes before it, may have come in an earlier batch and found no record to go with.
  const unseen = new Set(changes.flatMap(({ doc }) => (isParent(doc) && !doc._deleted && !parents.get(doc._id) ? [doc._id] : [])));
  for (const { doc } of changes) remember(parents, doc);
  // Asked once per batch: a parent the hub does not hold (a defect that came before its inspection) is not asked twice.
  const asked = new Set<string>();
  const lookUp = async (ids: (string | undefined)[]) => {
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      if (!id || known.has(id) || asked.has(id)) continue;
      asked.add(id);
      const seen = parents.get(id);
      if (seen) known.set(id, seen);
      else missing.push(id);
    }
    if (!missing.length) return;
    for (const doc of await hub.docs(missing)) {
      known.set(doc._id, doc);
      remember(parents, doc);
    }
  };
  // A photo or an audit entry of a defect is two steps from its inspection.
  await lookUp(changes.map(({ doc }) => parentOf(doc)));
  await lookUp(changes.map(({ doc }) => parentOf(known.get(parentOf(doc) ?? '') ?? doc)));
  const inspectionOf = (doc: HubRecord): HubRecord | undefined => {
    let record: HubRecord | undefined = doc;
    for (let step = 0; record && record.type !== 'inspection' && step < 2; step++) record = known.get(parentOf(record) ?? '');
    return record?.type === 'inspection' ? record : undefined;
  };

  const copies = new Map<string, Map<string, string[]>>();
  const add = (doc: HubRecord, revs: string[], owner: string) => {
    if (doc.type === 'inspection' || isOwnRevision(doc, revs, owner)) return;
    const leaves = copies.get(owner) ?? new Map<string, string[]>();
    leaves.set(doc._id, revs);
    copies.set(owner, leaves);
  };
  const released: Release[] = [];
  const gathered: [string, string][] = [];
  for (const { doc, revs } of changes) {
    const inspection = inspectionOf(doc);
    const owner = inspection && !inspection._deleted ? inspectionOwner(inspection) : undefined;
    if (!inspection || !owner) continue;
    add(doc, revs, owner);
    if (unseen.has(doc._id) && !isOwnRevision(doc, revs, owner)) {
      for (const record of await companionsOf(hub, doc)) add(record, leavesOf(record), owner);
    }
    // A batch holds each document once, at its latest revision.
    if (doc !== inspection || !isReassigned(inspection)) continue;
    const newOwner = handedTo.get(inspection._id) !== owner;
    if (newOwner) {
      for (const record of await recordsOf(hub, inspection._id)) {
        remember(parents, record);
        add(record, leavesOf(record), owner);
      }
      gathered.push([inspection._id, owner]);
    }
    // A merge too (hub-conflict-merge.ts): the edit it merged in may have outranked the
    // reassignment in the previous owner's database, which then still shows it as theirs.
    if (newOwner || inspection.mergedFrom) released.push(...(await releasesOf(hub, inspection, revs, owner)));
  }
  return { handovers: [...copies].map(([to, leaves]) => ({ to, leaves })), released, gathered };
}

// A deleted one is forgotten: a look-up finds only live documents, and so must the cache.
function remember(parents: ParentCache, doc: HubRecord): void {
  if (!isParent(doc)) return;
  if (doc._deleted) parents.delete(doc._id);
  else parents.set(doc._id, doc);
}

function isReassigned(inspection: HubRecord): boolean {
  return !!inspection.assignedTo && !!inspection.unassignedFrom && inspection.unassignedFrom !== inspection.assignedTo;
}

/**
 * Whether the owner's database surely holds this already: its one leaf is theirs (the rules
 * let no one else sign a revision with their name). With several leaves (a conflict, a
 * resolution's tombstone) all go, as a replication would bring them; so does a photo, which
 * names no last writer (a supervisor shares it). The target's `_revs_diff` skips what it has.
 */
function isOwnRevision(doc: HubRecord, revs: string[], owner: string): boolean {
  return revs.length === 1 && (doc.type === 'audit' ? doc.user : doc.updatedBy) === owner;
}

/** The record a document belongs to: a defect's inspection, a photo's defect, an audit entry's record. */
function parentOf(doc: HubRecord): string | undefined {
  if (doc.type === 'defect') return doc.inspectionId;
  if (doc.type === 'photo') return doc.defectId;
  if (doc.type === 'audit') return doc.docId;
  return undefined;
}

function leavesOf(doc: HubRecord): string[] {
  return [doc._rev, ...(doc._conflicts ?? [])];
}

/** An inspection's defects, their full-size photos, and the audit entries of all of them. */
async function recordsOf(hub: HubReader, inspectionId: string): Promise<HubRecord[]> {
  const defects = await hub.defectsOf(inspectionId);
  const ranges = [inspectionId, ...defects.map((defect) => defect._id)].map((id) => auditIdRange(id));
  for (const defect of defects) ranges.push(photoIdRangeOf(defect._id));
  return [...defects, ...(await inRanges(hub, ranges))];
}

/** A record's audit entries, and a defect's full-size photos. */
function companionsOf(hub: HubReader, record: HubRecord): Promise<HubRecord[]> {
  const ranges = [auditIdRange(record._id)];
  if (record.type === 'defect') ranges.push(photoIdRangeOf(record._id));
  return inRanges(hub, ranges);
}

/** An inspection or a defect: what other records belong to. */
function isParent(doc: HubRecord): boolean {
  return doc.type === 'inspection' || doc.type === 'defect';
}

async function inRanges(hub: HubReader, ranges: { startkey: string; endkey: string }[]): Promise<HubRecord[]> {
  return (await Promise.all(ranges.map(({ startkey, endkey }) => hub.range(startkey, endkey)))).flat();
}

/**
 * Whom a reassigned inspection was taken from, each with the latest revision that took it from
 * them: the one its revision names, and those only its history names (reassigned again before
 * the handover read the first change, or while no proxy ran); not the owner it is back with.
 */
async function releasesOf(hub: HubReader, inspection: HubRecord, revs: string[], owner: string): Promise<Release[]> {
  const released: Release[] = [{ from: inspection.unassignedFrom!, inspectionId: inspection._id, revs }];
  const named = new Set([owner, inspection.unassignedFrom]);
  for (const earlier of await hub.ancestors(inspection._id, inspection._rev)) {
    if (!isReassigned(earlier) || named.has(earlier.unassignedFrom)) continue;
    named.add(earlier.unassignedFrom);
    released.push({ from: earlier.unassignedFrom!, inspectionId: inspection._id, revs: [earlier._rev] });
  }
  return released;
}
