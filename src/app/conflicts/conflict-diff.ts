import { jsonEqual } from '../../../domain/conflicts/json-equal';
import { Conflict, MergeResult, contentOf } from '../../../domain/conflicts/three-way-merge';
import { StoredDoc } from '../../../domain/conflicts/stored-doc';
import { formatBytes } from '../core/storage.service';
import { fieldLabel, fieldValue } from '../shared/field-labels';

export type DiffStatus = 'same' | 'merged' | 'conflict';

export interface DiffCell {
  rev: string;
  text: string;
  /** Differs from the common ancestor; without one, from another version. */
  changed: boolean;
  /** The row is a conflict and this version's value can be chosen. */
  choosable: boolean;
}

/** One field of a conflicted document across its versions. */
export interface DiffRow {
  /** The merge's path: `title`, `checklist[<id>].result`, `_attachments[<name>]`, `_deleted`. */
  path: string;
  label: string;
  /** Same everywhere, settled by the merge, or waiting for a choice. */
  status: DiffStatus;
  /** The common ancestor's value, or null when it is not available (two-way merge). */
  ancestor: string | null;
  /** One per version, the current (winning) one first. */
  cells: DiffCell[];
  /** What the resolution writes, with the choices made so far. */
  result: string;
}

interface RowSpec {
  path: string;
  label: string;
  read(doc: StoredDoc): unknown;
  format(value: unknown): string;
}

type Item = { id: string } & Record<string, unknown>;

const NOTHING = '—';
const DELETED = $localize`:@@diff.deletedValue:(deleted)`;
/** Shown with each version, not as rows: they never conflict. */
const CREATION_FIELDS = ['createdBy', 'createdAt'];

const DELETION_ROW: RowSpec = {
  path: '_deleted',
  label: $localize`:@@diff.document:Document`,
  read: (doc) => doc._deleted === true,
  format: (deleted) => (deleted ? $localize`:@@diff.deleted:Deleted` : $localize`:@@diff.notDeleted:Not deleted`),
};

/**
 * The side-by-side view of a merge: a row per field, checklist item (matched by id) and
 * attachment (by name). `preview` is the same merge made with the choices so far; it decides
 * which rows still are conflicts and what the result is.
 */
export function conflictDiff(merge: MergeResult, preview: MergeResult): DiffRow[] {
  const live = merge.leaves.filter((leaf) => !leaf._deleted);
  const docs = merge.ancestor ? [...live, merge.ancestor] : live;
  const conflicts = new Map(preview.conflicts.map((conflict) => [conflict.path, conflict]));
  const specs = [
    ...(live.length < merge.leaves.length ? [DELETION_ROW] : []),
    ...fieldRows(docs),
    ...checklistRows(docs, live, conflicts),
    ...attachmentRows(docs),
  ];
  return specs.map((spec) => diffRow(spec, merge, preview, conflicts.get(spec.path)));
}

function diffRow(spec: RowSpec, merge: MergeResult, preview: MergeResult, conflict: Conflict | undefined): DiffRow {
  const isDeletion = spec === DELETION_ROW;
  const compared = merge.leaves.filter((leaf) => isDeletion || !leaf._deleted).map((leaf) => spec.read(leaf));
  const differs = compared.some((value) => !jsonEqual(value, compared[0]));
  const ancestorValue = merge.ancestor && spec.read(merge.ancestor);
  const choosable = new Set(conflict?.options.map((option) => option.rev));
  const cells = merge.leaves.map((leaf): DiffCell => {
    if (leaf._deleted && !isDeletion) return { rev: leaf._rev, text: DELETED, changed: false, choosable: false };
    const value = spec.read(leaf);
    const changed = merge.ancestor ? !jsonEqual(value, ancestorValue) : differs;
    return { rev: leaf._rev, text: spec.format(value), changed, choosable: choosable.has(leaf._rev) };
  });
  const result = preview.merged ? spec.format(spec.read(preview.merged)) : isDeletion ? spec.format(true) : DELETED;
  return {
    path: spec.path,
    label: spec.label,
    status: conflict ? 'conflict' : differs ? 'merged' : 'same',
    ancestor: merge.ancestor ? spec.format(ancestorValue) : null,
    cells,
    result,
  };
}

function fieldRows(docs: readonly StoredDoc[]): RowSpec[] {
  const itemized = isItemized(docs);
  const keys = new Set(docs.flatMap((doc) => Object.keys(contentOf(doc))));
  return [...keys]
    .filter((key) => key !== '_attachments' && !CREATION_FIELDS.includes(key) && !(itemized && key === 'checklist'))
    .map((key) => ({ path: key, label: fieldLabel(key), read: (doc) => doc[key], format: (value) => formatField(key, value) }));
}

/** Like the merge: item by item when every version's checklist is a list of items with ids. */
function isItemized(docs: readonly StoredDoc[]): boolean {
  const isItems = (value: unknown) =>
    Array.isArray(value) && value.every((item) => typeof item === 'object' && item !== null && typeof item.id === 'string');
  return docs.some((doc) => 'checklist' in doc) && docs.every((doc) => isItems(doc['checklist']));
}

/**
 * An item present in every live version gets a row per item field; one added or removed
 * somewhere gets a single row for the whole item, as the merge settles it whole.
 */
function checklistRows(docs: readonly StoredDoc[], live: readonly StoredDoc[], conflicts: ReadonlyMap<string, Conflict>): RowSpec[] {
  if (!isItemized(docs)) return [];
  const itemsOf = (doc: StoredDoc) => doc['checklist'] as Item[];
  const itemIn = (doc: StoredDoc, id: string) => itemsOf(doc).find((item) => item.id === id);
  const ids = new Set(docs.flatMap((doc) => itemsOf(doc).map((item) => item.id)));
  return [...ids].flatMap((id): RowSpec[] => {
    const path = `checklist[${id}]`;
    const versions = docs.map((doc) => itemIn(doc, id));
    const item = String(versions.find((version) => typeof version?.['label'] === 'string')?.['label'] ?? id);
    const name = $localize`:@@diff.checklistItem:Checklist: ${item}:item:`;
    const fieldConflict = [...conflicts.keys()].some((conflictPath) => conflictPath.startsWith(`${path}.`));
    if (!fieldConflict && (!live.every((doc) => itemIn(doc, id)) || versions.every((item) => jsonEqual(item, versions[0])))) {
      return [{ path, label: name, read: (doc) => itemIn(doc, id), format: formatItem }];
    }
    const keys = new Set(versions.flatMap((item) => Object.keys(item ?? {})).filter((key) => key !== 'id'));
    return [...keys].map((key) => ({
      path: `${path}.${key}`,
      label: `${name} · ${fieldLabel(key)}`,
      read: (doc: StoredDoc) => itemIn(doc, id)?.[key],
      format: key === 'result' ? formatResult : (value: unknown) => formatField(key, value),
    }));
  });
}

function attachmentRows(docs: readonly StoredDoc[]): RowSpec[] {
  const names = new Set(docs.flatMap((doc) => Object.keys(doc._attachments ?? {})));
  return [...names].map((name) => ({
    path: `_attachments[${name}]`,
    label: $localize`:@@diff.photoRow:Photo ${name}:name:`,
    // Compared by content: the same photo stored again is the same.
    read: (doc) => {
      const attachment = doc._attachments?.[name];
      return attachment && { digest: attachment.digest, length: attachment.length };
    },
    format: (value) => {
      const attachment = value as { digest: string; length?: number } | undefined;
      if (!attachment) return NOTHING;
      const digest = attachment.digest.replace(/^md5-/, '').slice(0, 6);
      return attachment.length === undefined
        ? $localize`:@@diff.photo:Photo (#${digest}:digest:)`
        : $localize`:@@diff.photoSized:Photo (${formatBytes(attachment.length)}:size:, #${digest}:digest:)`;
    },
  }));
}

function formatValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return NOTHING;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value.join(', ');
  return JSON.stringify(value);
}

/** A field's value as the history words it: codes and dates for people (fieldValue), anything else as is. */
function formatField(field: string, value: unknown): string {
  return typeof value === 'string' && value !== '' ? fieldValue(field, value) : formatValue(value);
}

function formatResult(value: unknown): string {
  return typeof value === 'string' ? fieldValue('result', value) : $localize`:@@diff.notChecked:Not checked`;
}

function formatItem(value: unknown): string {
  if (value === undefined) return NOTHING;
  const item = value as Item;
  const note = typeof item['note'] === 'string' && item['note'] ? ` (${item['note']})` : '';
  return `${formatValue(item['label'])}: ${formatResult(item['result'])}${note}`;
}
