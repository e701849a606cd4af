import { auditIdRange } from '../domain/audit-entry';
import { photoDocId } from '../domain/photo-doc';

/**
 * What a reassigned inspection's new assignee must receive that their `assign-` job cannot
 * bring: the job's selector matches a record by its own fields (`assignedTo`, `createdBy`), and
 * a selector cannot join, so the defects, full-size photos and audit entries someone else wrote
 * on the inspection (the inspector it was taken from, above all) never match the new assignee.
 * Nor do the later changes of those records: the old inspector's last offline defect pushed
 * after the reassignment, a supervisor's decision copied onto the defects.
 *
 * Only inspections a supervisor reassigned (`unassignedFrom` set) are handed over: for every
 * other one, the assignee wrote or was assigned everything the job should bring them.
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
  assignee: string;
  leaves: Map<string, string[]>;
}

/**
 * The handovers a batch of hub changes calls for. A reassigned inspection's own change gathers
 * all its records for its assignee, unless `handedTo` says they already went to that assignee
 * (its later edits need not gather them again; a reassignment to someone else does); `gathered`
 * lists the inspections gathered here, with their assignee, for `handedTo` to remember. A
 * record's defect and inspection are looked up in the hub unless `parents` knows them; what
 * the batch shows or the look-ups find goes into `parents`.
 */
export async function planHandovers(
  changes: HubChange[],
  hub: HubReader,
  handedTo: { get(inspectionId: string): string | undefined },
  parents: ParentCache,
): Promise<{ handovers: Handover[]; gathered: [inspectionId: string, assignee: string][] }> {
  const known = new Map<string, HubRecord>(changes.map(({ doc }) => [doc._id, doc]));
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
  const add = (doc: HubRecord, revs: string[], inspection: HubRecord) => {
    const assignee = inspection.assignedTo!;
    if (doc.type === 'inspection' || doc.updatedBy === assignee || writerOf(doc) === assignee) return;
    const leaves = copies.get(assignee) ?? new Map<string, string[]>();
    leaves.set(doc._id, revs);
    copies.set(assignee, leaves);
  };
  const gathered: [string, string][] = [];
  for (const { doc, revs } of changes) {
    const inspection = inspectionOf(doc);
    if (!inspection || !isReassigned(inspection)) continue;
    add(doc, revs, inspection);
    // A batch holds each document once, at its latest revision.
    if (doc === inspection && handedTo.get(inspection._id) !== inspection.assignedTo) {
      for (const record of await recordsOf(hub, inspection._id)) {
        remember(parents, record);
        add(record, leavesOf(record), inspection);
      }
      gathered.push([inspection._id, inspection.assignedTo!]);
    }
  }
  return { handovers: [...copies].map(([assignee, leaves]) => ({ assignee, leaves })), gathered };
}

// A deleted one is forgotten: a look-up finds only live documents, and so must the cache.
function remember(parents: ParentCache, doc: HubRecord): void {
  if (doc.type !== 'inspection' && doc.type !== 'defect') return;
  if (doc._deleted) parents.delete(doc._id);
  else parents.set(doc._id, doc);
}

function isReassigned(inspection: HubRecord): boolean {
  return !inspection._deleted && !!inspection.assignedTo && !!inspection.unassignedFrom;
}

/** The record a document belongs to: a defect's inspection, a photo's defect, an audit entry's record. */
function parentOf(doc: HubRecord): string | undefined {
  if (doc.type === 'defect') return doc.inspectionId;
  if (doc.type === 'photo') return doc.defectId;
  if (doc.type === 'audit') return doc.docId;
  return undefined;
}

function writerOf(doc: HubRecord): string | undefined {
  return doc.type === 'audit' ? doc.user : doc.createdBy;
}

function leavesOf(doc: HubRecord): string[] {
  return [doc._rev, ...(doc._conflicts ?? [])];
}

/** An inspection's defects, their full-size photos, and the audit entries of all of them. */
async function recordsOf(hub: HubReader, inspectionId: string): Promise<HubRecord[]> {
  const defects = await hub.defectsOf(inspectionId);
  const ranges = [inspectionId, ...defects.map((defect) => defect._id)].map((id) => auditIdRange(id));
  for (const defect of defects) ranges.push({ startkey: photoDocId(defect._id, ''), endkey: photoDocId(defect._id, '\ufff0') });
  const found = await Promise.all(ranges.map(({ startkey, endkey }) => hub.range(startkey, endkey)));
  return [...defects, ...found.flat()];
}
