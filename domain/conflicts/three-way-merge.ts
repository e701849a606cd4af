/**
 * Three-way merge of a document's conflicting leaves against their common ancestor (two-way
 * when the ancestor's body is gone). Pure: no I/O, runs in Node and in the browser.
 *
 * Every top-level field, checklist item (by `id`) and attachment (by name, compared by digest)
 * is settled on its own: unchanged everywhere → the ancestor's value; changed on some leaves
 * and they agree → the change; changed differently → a conflict whose value is chosen per
 * path from one leaf. Without an ancestor every leaf counts as changed.
 */
import { migrateDoc } from '../schema-versions';
import { jsonEqual } from './json-equal';
import { commonAncestorRev, winnerFirst } from './revision-tree';
import type { Attachment, LeafDoc, StoredDoc } from './stored-doc';

/** Bookkeeping rewritten on every save: taken from the most recently updated leaf, never a conflict. */
const LATEST_WINS_FIELDS = ['updatedBy', 'updatedAt', 'deviceId', 'deviceName', 'mergedFrom', 'mergedBy', 'mergedAt'];

/** One leaf's value at a conflicting path; `undefined` means the leaf does not have it (removed or never added). */
export interface ConflictOption<V> {
  rev: string;
  value: V | undefined;
}

interface ConflictOf<Kind extends string, V> {
  kind: Kind;
  /** `title`, `checklist[<id>]`, `checklist[<id>].result`, `_attachments[<name>]` or `_deleted`. */
  path: string;
  /** One per leaf that has a say, the winning leaf first. */
  options: ConflictOption<V>[];
}

export type ChecklistItemValue = { id: string } & Record<string, unknown>;

export type FieldConflict = ConflictOf<'field', unknown>;
/** An item removed on one leaf and edited on another. */
export type ChecklistItemConflict = ConflictOf<'checklist-item', ChecklistItemValue>;
export type AttachmentConflict = ConflictOf<'attachment', Attachment>;
/** The document deleted on one leaf and edited on another; the value says whether that leaf is deleted. */
export type DeletionConflict = ConflictOf<'deletion', boolean>;
export type Conflict = FieldConflict | ChecklistItemConflict | AttachmentConflict | DeletionConflict;

/** Per conflict path, the rev of the leaf whose value to keep. */
export type Choices = Readonly<Record<string, string>>;

export interface MergeResult {
  /** The leaves merged, the winning revision first. */
  leaves: LeafDoc[];
  ancestor: StoredDoc | null;
  /** The newest revision all leaves share, or null when their histories share none. */
  ancestorRev: string | null;
  /** True when the merge was two-way because the ancestor's body is unavailable. */
  ancestorMissing: boolean;
  /** Every disagreement, whether or not `choices` settles it. */
  conflicts: Conflict[];
  /**
   * The document to write on top of the winning revision, or null when it ends deleted.
   * Conflicts without a choice take their first option (the winner's value where it has one).
   */
  merged: StoredDoc | null;
}

type Baseline<V> = { value: V | undefined } | null;
type Same<V> = (a: V | undefined, b: V | undefined) => boolean;

interface MergeContext {
  choices: Choices;
  conflicts: Conflict[];
}

export function mergeLeaves(leaves: readonly LeafDoc[], ancestor: StoredDoc | null, choices: Choices = {}): MergeResult {
  if (leaves.length === 0) throw new Error('mergeLeaves needs at least one leaf');
  const ordered = winnerFirst(leaves);
  const ancestorRev = commonAncestorRev(ordered);
  if (ancestor && ancestor._rev !== ancestorRev) {
    throw new Error(`ancestor ${ancestor._rev} is not the common ancestor ${ancestorRev} of the leaves`);
  }
  const context: MergeContext = { choices, conflicts: [] };
  const live = ordered.filter((leaf) => !leaf._deleted);
  const deleted = settleDeletion(context, ordered, live, ancestor);
  const merged = live.length > 0 ? mergeLiveLeaves(context, live, ancestor) : null;
  return {
    leaves: ordered,
    ancestor,
    ancestorRev,
    ancestorMissing: ancestor === null,
    conflicts: context.conflicts,
    merged: deleted ? null : merged,
  };
}

/**
 * A document's content for comparison: everything a merge settles, with attachments reduced to
 * their digests.
 */
export function contentOf(doc: StoredDoc): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  for (const key of mergedFieldNames([doc])) content[key] = doc[key];
  const attachments = doc._attachments ?? {};
  content['_attachments'] = Object.fromEntries(Object.entries(attachments).map(([name, att]) => [name, att.digest]));
  return content;
}

/**
 * Deleted on some leaves: deleted if the live ones left the content alone, otherwise a choice.
 * A shape's migration (`npm run migrate` while a tablet deleted it offline) is no change of content.
 */
function settleDeletion(context: MergeContext, leaves: readonly LeafDoc[], live: readonly LeafDoc[], ancestor: StoredDoc | null): boolean {
  if (live.length === leaves.length) return false;
  if (live.length === 0) return true;
  const unchanged = ancestor && contentOf(migrateDoc(ancestor));
  if (unchanged && live.every((leaf) => jsonEqual(contentOf(migrateDoc(leaf)), unchanged))) return true;
  const options = leaves.map((leaf) => ({ rev: leaf._rev, value: leaf._deleted === true }));
  return options[choose(context, { kind: 'deletion', path: '_deleted', options })].value;
}

function mergeLiveLeaves(context: MergeContext, live: readonly LeafDoc[], ancestor: StoredDoc | null): StoredDoc {
  const [winner] = live;
  const merged: StoredDoc = { _id: winner._id, _rev: winner._rev };
  for (const key of mergedFieldNames(ancestor ? [...live, ancestor] : live)) {
    const sides = live.map((leaf) => ({ rev: leaf._rev, value: leaf[key] }));
    const base = ancestor && { value: ancestor[key] };
    const checklist = key === 'checklist' ? checklistVersions(base, sides) : null;
    const value = checklist ? mergeChecklist(context, checklist.base, checklist.sides) : mergeValue(context, key, base, sides);
    if (value !== undefined) merged[key] = value;
  }
  const latest = mostRecentlyUpdated(live);
  for (const key of LATEST_WINS_FIELDS) {
    if (latest[key] !== undefined) merged[key] = latest[key];
  }
  const attachments = mergeAttachments(
    context,
    ancestor && { value: ancestor._attachments },
    live.map((leaf) => ({ rev: leaf._rev, value: leaf._attachments })),
  );
  if (Object.keys(attachments).length > 0) merged._attachments = attachments;
  return merged;
}

/** Field names a merge settles one by one: not CouchDB metadata (`_…`), not the latest-wins bookkeeping. */
function mergedFieldNames(docs: readonly StoredDoc[]): string[] {
  return namesIn(docs).filter((key) => !key.startsWith('_') && !LATEST_WINS_FIELDS.includes(key));
}

/** Own keys of all the objects, in order of first appearance. */
function namesIn(objects: readonly (object | undefined)[]): string[] {
  const names = new Set<string>();
  for (const object of objects) for (const key of Object.keys(object ?? {})) names.add(key);
  return [...names];
}

function mostRecentlyUpdated(live: readonly LeafDoc[]): LeafDoc {
  const updatedAt = (leaf: LeafDoc) => {
    const time = typeof leaf['updatedAt'] === 'string' ? Date.parse(leaf['updatedAt']) : NaN;
    return Number.isNaN(time) ? -Infinity : time;
  };
  return live.reduce((latest, leaf) => (updatedAt(leaf) > updatedAt(latest) ? leaf : latest));
}

function mergeValue(context: MergeContext, path: string, base: Baseline<unknown>, sides: ConflictOption<unknown>[]): unknown {
  const agreed = agreedValue(base, sides, jsonEqual);
  return agreed ? agreed.value : sides[choose(context, { kind: 'field', path, options: sides })].value;
}

/** The checklist merges item by item when every version of it is a list of items with ids. */
function checklistVersions(
  base: Baseline<unknown>,
  sides: ConflictOption<unknown>[],
): { base: Baseline<ChecklistItemValue[]>; sides: ConflictOption<ChecklistItemValue[]>[] } | null {
  const baseList = base === null ? null : isChecklist(base.value) ? { value: base.value } : undefined;
  const lists = sides.map((side) => side.value);
  if (baseList === undefined || !lists.every(isChecklist)) return null;
  return { base: baseList, sides: sides.map((side, i) => ({ rev: side.rev, value: lists[i] })) };
}

function isChecklist(value: unknown): value is ChecklistItemValue[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null && typeof item.id === 'string');
}

/** Items keep the winner's order; items only other leaves have follow in their order. */
function mergeChecklist(
  context: MergeContext,
  base: Baseline<ChecklistItemValue[]>,
  sides: ConflictOption<ChecklistItemValue[]>[],
): ChecklistItemValue[] {
  const itemIn = (list: ChecklistItemValue[] | undefined, id: string) => list?.find((item) => item.id === id);
  const ids = new Set(sides.flatMap((side) => side.value?.map((item) => item.id) ?? []));
  const merged: ChecklistItemValue[] = [];
  for (const id of ids) {
    const item = mergeChecklistItem(
      context,
      `checklist[${id}]`,
      base && { value: itemIn(base.value, id) },
      sides.map((side) => ({ rev: side.rev, value: itemIn(side.value, id) })),
    );
    if (item) merged.push(item);
  }
  return merged;
}

/** Edits merge field by field; an item removed on one leaf and edited on another needs a choice. */
function mergeChecklistItem(
  context: MergeContext,
  path: string,
  base: Baseline<ChecklistItemValue>,
  sides: ConflictOption<ChecklistItemValue>[],
): ChecklistItemValue | undefined {
  const agreed = agreedValue(base, sides, jsonEqual);
  if (agreed) return agreed.value;
  if (changedSides(base, sides, jsonEqual).some((side) => side.value === undefined)) {
    return sides[choose(context, { kind: 'checklist-item', path, options: sides })].value;
  }
  const present = sides.filter((side): side is { rev: string; value: ChecklistItemValue } => side.value !== undefined);
  const item: Record<string, unknown> = {};
  for (const key of namesIn([base?.value, ...present.map((side) => side.value)])) {
    const value = mergeValue(
      context,
      `${path}.${key}`,
      base && { value: base.value?.[key] },
      present.map((side) => ({ rev: side.rev, value: side.value[key] })),
    );
    if (value !== undefined) item[key] = value;
  }
  return { ...item, id: present[0].value.id };
}

function mergeAttachments(
  context: MergeContext,
  base: Baseline<Record<string, Attachment>>,
  sides: ConflictOption<Record<string, Attachment>>[],
): Record<string, Attachment> {
  const sameDigest: Same<Attachment> = (a, b) => a?.digest === b?.digest;
  const merged: Record<string, Attachment> = {};
  for (const name of namesIn([base?.value, ...sides.map((side) => side.value)])) {
    const nameSides = sides.map((side) => ({ rev: side.rev, value: side.value?.[name] }));
    const agreed = agreedValue(base && { value: base.value?.[name] }, nameSides, sameDigest);
    const value = agreed
      ? agreed.value
      : nameSides[choose(context, { kind: 'attachment', path: `_attachments[${name}]`, options: nameSides })].value;
    if (value) merged[name] = value;
  }
  return merged;
}

/** Leaves whose value differs from the ancestor's; with no ancestor, all of them. */
function changedSides<V>(base: Baseline<V>, sides: ConflictOption<V>[], same: Same<V>): ConflictOption<V>[] {
  return base ? sides.filter((side) => !same(side.value, base.value)) : sides;
}

/** The value the changing leaves agree on (the ancestor's if none changed), or null if they disagree. */
function agreedValue<V>(base: Baseline<V>, sides: ConflictOption<V>[], same: Same<V>): { value: V | undefined } | null {
  const changed = changedSides(base, sides, same);
  if (changed.length === 0) return { value: base?.value };
  const [first] = changed;
  return changed.every((side) => same(side.value, first.value)) ? { value: first.value } : null;
}

/** Records the conflict and returns the index of the chosen option (the first when there is no choice). */
function choose(context: MergeContext, conflict: Conflict): number {
  context.conflicts.push(conflict);
  const rev = context.choices[conflict.path];
  if (rev === undefined) return 0;
  const index = conflict.options.findIndex((option) => option.rev === rev);
  if (index === -1) throw new Error(`${conflict.path}: ${rev} is not one of the conflicting leaves`);
  return index;
}
