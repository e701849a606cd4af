import { Database } from '../core/pouchdb';
import { DraftEntry, FormValues } from './draft-store.service';

/** A draft no page opens any more: its document, or the inspection it belongs to, is no longer in the database (deleted elsewhere, reassigned, archived). */
export interface OrphanDraft {
  key: string;
  draft: DraftEntry;
}

/** The keys of forms creating a document ('new-inspection', 'new-defect:<inspection id>'): no document of their own. */
const NEW_FORM_PREFIX = 'new-';

/** The documents a draft needs to be opened again: its own (an edit) and its inspection's. */
function neededIds(key: string, draft: DraftEntry): string[] {
  return [...(key.startsWith(NEW_FORM_PREFIX) ? [] : [key]), ...(draft.inspectionId ? [draft.inspectionId] : [])];
}

/** The drafts among `drafts` whose document or inspection is no longer in `db`, in one read. */
export async function orphanDrafts(db: Database, drafts: Record<string, DraftEntry>): Promise<OrphanDraft[]> {
  const ids = [...new Set(Object.entries(drafts).flatMap(([key, draft]) => neededIds(key, draft)))];
  if (!ids.length) return [];
  const { rows } = await db.allDocs({ keys: ids });
  const present = new Set(rows.filter((row) => 'value' in row && !row.value.deleted).map((row) => row.key));
  return Object.entries(drafts)
    .filter(([key, draft]) => neededIds(key, draft).some((id) => !present.has(id)))
    .map(([key, draft]) => ({ key, draft }));
}

/** A draft's typed values as text to read and copy: each field with text in it, a list (checklist) one line per item. */
export function typedText(values: FormValues): { field: string; text: string }[] {
  return Object.entries(values)
    .map(([field, value]) => ({ field, text: asText(value) }))
    .filter(({ text }) => text !== '');
}

function asText(value: unknown): string {
  if (Array.isArray(value)) return value.map(asText).filter(Boolean).join('\n');
  // A checklist item's id says nothing to a person.
  if (value !== null && typeof value === 'object')
    return Object.entries(value)
      .filter(([name]) => name !== 'id')
      .map(([, part]) => asText(part))
      .filter(Boolean)
      .join(' — ');
  return value === null || value === undefined ? '' : String(value).trim();
}
