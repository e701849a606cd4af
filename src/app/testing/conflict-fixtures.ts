import { LeafDoc } from '../../../domain/conflicts/stored-doc';
import { Database, PouchDB } from '../core/pouchdb';

/**
 * Revision `1-root` of a valid inspection owned by `owner`, saved on device-a, with checklist
 * items c1 and c2. Pass an `_id` to build several documents.
 */
export function rootInspection(owner = 'ana', overrides: Record<string, unknown> = {}): LeafDoc {
  return {
    _id: `inspection:${crypto.randomUUID()}`,
    type: 'inspection',
    title: 'Boiler room',
    site: 'Plant 4',
    status: 'draft',
    scheduledFor: '2026-03-02',
    checklist: [
      { id: 'c1', label: 'Valves', result: null },
      { id: 'c2', label: 'Gauges', result: null },
    ],
    createdBy: owner,
    createdAt: '2026-03-01T07:00:00.000Z',
    updatedBy: owner,
    updatedAt: '2026-03-01T07:00:00.000Z',
    deviceId: 'device-a',
    ...overrides,
    _rev: '1-root',
    _revisions: { start: 1, ids: ['root'] },
  };
}

/** The child revision `<n+1>-<revId>` of `parent` with `changes`; an `undefined` change removes the field. */
export function editOf(parent: LeafDoc, revId: string, changes: Record<string, unknown>): LeafDoc {
  const doc: Record<string, unknown> = { ...parent, ...changes };
  for (const [field, value] of Object.entries(changes)) if (value === undefined) delete doc[field];
  return { ...doc, ...childRev(parent, revId) } as LeafDoc;
}

/** A deletion of `parent` as the app writes it, saying who deleted it, when and where. */
export function deletionOf(parent: LeafDoc, revId: string, stamp: Record<string, unknown> = {}): LeafDoc {
  return { ...childRev(parent, revId), _deleted: true, ...stamp };
}

function childRev(parent: LeafDoc, revId: string) {
  const start = parent._revisions.start + 1;
  return { _id: parent._id, _rev: `${start}-${revId}`, _revisions: { start, ids: [revId, ...parent._revisions.ids] } };
}

/** Stores the revisions (ancestors first) exactly as they are, as replication would. */
export async function storeRevisions(db: Database, revisions: LeafDoc[]): Promise<void> {
  const results = await db.bulkDocs(revisions as PouchDB.Core.PutDocument<object>[], { new_edits: false });
  const failures = results.filter((result) => 'error' in result && result.error);
  if (failures.length) throw new Error(`storing revisions failed: ${JSON.stringify(failures)}`);
}

/**
 * A stand-in for the server: a browser database that, unlike the app's local one, does not
 * compact, so common ancestors stay available there.
 */
export function fakeServer(prefix: string) {
  const databases = new Map<string, Database>();
  const open = (userDb: string) => {
    if (!databases.has(userDb)) databases.set(userDb, new PouchDB<object>(`${prefix}server-${userDb}`));
    return databases.get(userDb)!;
  };
  return { open, destroy: () => Promise.all([...databases.values()].map((db) => db.destroy())) };
}
