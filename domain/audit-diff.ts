/** What a save changed in a record, small enough to keep for every save (audit entries). */
import { jsonEqual } from './conflicts/json-equal';
import type { AuditChange, AuditValue } from './doc-types';
import { THUMB_PREFIX } from './photo-doc';
import { cutText } from './text-cut';

/** Longer text is cut to this many characters, the last being "…". */
export const AUDIT_TEXT_MAX = 80;

// Who, when and where a change was made the entry says itself; the type it names as docType;
// the shape's version (schema) is bookkeeping; attachments are compared by name
// (photoChanges), never by their data.
const NOT_CONTENT = new Set([
  '_id',
  '_rev',
  '_revisions',
  '_conflicts',
  '_deleted',
  '_attachments',
  'type',
  'schema',
  'createdBy',
  'createdAt',
  'updatedBy',
  'updatedAt',
  'deviceId',
  'deviceName',
  'mergedFrom',
  'mergedBy',
  'mergedAt',
]);

// A defect's photo is its thumbnail `thumb-<name>` (the full size is a photo document,
// domain/photo-doc.ts); a defect from before that also carries `photo-<name>`. Either way one
// photo, named `photo-<name>` in the entry.
const PHOTO_PREFIX = 'photo-';

type Fields = Record<string, unknown>;
/** A list whose items are told apart by an `id` (the checklist): compared item by item, not by position. */
type KeyedItem = Fields & { id: string };

/**
 * The fields that differ between two versions of a record (`before` null: it is new), in the
 * order of `after`'s fields: checklist items by their id, text cut to AUDIT_TEXT_MAX, photos
 * by name.
 */
export function auditDiff(before: Fields | null, after: object): AuditChange[] {
  const changes: AuditChange[] = [];
  diffFields(before ?? {}, after as Fields, '', undefined, changes, true);
  changes.push(...photoChanges(attachmentsOf(before), attachmentsOf(after as Fields)));
  return changes;
}

function diffFields(before: Fields, after: Fields, prefix: string, item: string | undefined, out: AuditChange[], top: boolean): void {
  const keys = [...Object.keys(after), ...Object.keys(before).filter((key) => !(key in after))];
  for (const key of keys) {
    if (top && NOT_CONTENT.has(key)) continue;
    diffValue(before[key], after[key], prefix + key, item, out);
  }
}

function diffValue(before: unknown, after: unknown, path: string, item: string | undefined, out: AuditChange[]): void {
  if (jsonEqual(before, after)) return;
  if (isKeyedList(before ?? []) && isKeyedList(after ?? [])) {
    diffKeyedList((before ?? []) as KeyedItem[], (after ?? []) as KeyedItem[], path, out);
  } else if (isFields(before) && isFields(after)) {
    diffFields(before, after, `${path}.`, item, out, false);
  } else {
    out.push(change(path, item, before, after));
  }
}

function diffKeyedList(before: KeyedItem[], after: KeyedItem[], path: string, out: AuditChange[]): void {
  const previous = new Map(before.map((element) => [element.id, element]));
  after.forEach((element, i) => {
    const old = previous.get(element.id);
    if (old) diffFields(old, element, `${path}[${i}].`, summary(element) as string, out, false);
    else out.push(change(`${path}[${i}]`, undefined, undefined, element));
  });
  const kept = new Set(after.map((element) => element.id));
  before.forEach((element, i) => {
    if (!kept.has(element.id)) out.push(change(`${path}[${i}]`, undefined, element, undefined));
  });
}

function photoChanges(before: Record<string, { digest?: string }>, after: Record<string, { digest?: string }>): AuditChange[] {
  const photoName = (name: string) => (name.startsWith(THUMB_PREFIX) ? PHOTO_PREFIX + name.slice(THUMB_PREFIX.length) : name);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)].map(photoName))].sort();
  const thumbName = (name: string) => THUMB_PREFIX + name.slice(PHOTO_PREFIX.length);
  return names.flatMap((name) => {
    const [old, now] = [before[name] ?? before[thumbName(name)], after[name] ?? after[thumbName(name)]];
    if (old && now && old.digest === now.digest) return [];
    const path = name.startsWith(PHOTO_PREFIX) ? 'photos' : 'attachments';
    return [{ path, ...(old ? { before: name } : {}), ...(now ? { after: name } : {}) }];
  });
}

function change(path: string, item: string | undefined, before: unknown, after: unknown): AuditChange {
  return {
    path,
    ...(item !== undefined ? { item } : {}),
    ...(before !== undefined ? { before: summary(before) } : {}),
    ...(after !== undefined ? { after: summary(after) } : {}),
  };
}

/** A value as an entry keeps it: an item by its label or title, a list of names joined, text cut short. */
export function summary(value: unknown): AuditValue {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return cut(value);
  if (Array.isArray(value) && value.every((element) => typeof element !== 'object' || element === null)) return cut(value.join(', '));
  if (isFields(value)) {
    const name = value['label'] ?? value['title'];
    if (typeof name === 'string') return cut(name);
  }
  return cut(JSON.stringify(value) ?? '');
}

function cut(text: string): string {
  return text.length > AUDIT_TEXT_MAX ? `${cutText(text, AUDIT_TEXT_MAX - 1)}…` : text;
}

function attachmentsOf(doc: Fields | null): Record<string, { digest?: string }> {
  const attachments = doc?.['_attachments'];
  return isFields(attachments) ? (attachments as Record<string, { digest?: string }>) : {};
}

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isKeyedList(value: unknown): boolean {
  return Array.isArray(value) && value.every((element) => isFields(element) && typeof element['id'] === 'string');
}
