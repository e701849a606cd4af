/** Building revision trees for conflict tests: a root revision and edits/deletions branching from it. */
import { inspection } from '../support/fixtures';
import type { Attachment, LeafDoc } from '../../domain/conflicts/stored-doc';

export const alice = { name: 'alice', roles: ['inspector'] };

/** Revision `1-root` of a valid inspection owned by alice, with checklist items c1..c3 and photo a.jpg. */
export function rootRevision(overrides: Record<string, unknown> = {}): LeafDoc {
  return {
    ...inspection('alice', {
      createdAt: '2026-11-20T08:00:00.000Z',
      updatedAt: '2026-11-20T08:00:00.000Z',
      checklist: [item('c1'), item('c2'), item('c3')],
      _attachments: { 'a.jpg': photo('md5-a') },
      ...overrides,
    }),
    _rev: '1-root',
    _revisions: { start: 1, ids: ['root'] },
  };
}

/** The child revision `<n+1>-<revId>` of `parent` with `changes` applied; an `undefined` change removes the field. */
export function editOf(parent: LeafDoc, revId: string, changes: Record<string, unknown>): LeafDoc {
  const doc: Record<string, unknown> = { ...parent, ...changes };
  for (const [field, value] of Object.entries(changes)) if (value === undefined) delete doc[field];
  return { ...doc, ...childRev(parent, revId) };
}

export function deletionOf(parent: LeafDoc, revId: string): LeafDoc {
  return { ...childRev(parent, revId), _deleted: true };
}

function childRev(parent: LeafDoc, revId: string) {
  const start = parent._revisions.start + 1;
  return { _id: parent._id, _rev: `${start}-${revId}`, _revisions: { start, ids: [revId, ...parent._revisions.ids] } };
}

export function item(id: string, result: 'pass' | 'fail' | 'na' | null = null, label = `Check ${id}`) {
  return { id, label, result };
}

export function photo(digest: string): Attachment {
  return { content_type: 'image/jpeg', digest, length: 3, revpos: 1, stub: true };
}

/** `changes` for an edit made at `updatedAt` on another device. */
export function at(updatedAt: string, changes: Record<string, unknown> = {}) {
  return { ...changes, updatedAt, deviceId: `device-${updatedAt}` };
}
