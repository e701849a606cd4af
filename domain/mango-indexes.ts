/**
 * pouchdb-find / Mango indexes, one list for both ends: the bootstrap creates them in
 * every user database and the app creates them in its local PouchDB.
 */
export interface MangoIndex {
  ddoc: string;
  name: string;
  fields: string[];
}

export const MANGO_INDEXES: readonly MangoIndex[] = [
  { ddoc: 'idx-type-scheduled', name: 'type-scheduled', fields: ['type', 'scheduledFor'] },
  { ddoc: 'idx-type-status', name: 'type-status', fields: ['type', 'status'] },
  { ddoc: 'idx-inspection', name: 'inspection', fields: ['inspectionId'] },
  // Sparse (only reassigned inspections carry the field): a tablet's start looks up what was
  // reassigned away from its user, which without it read every record on the device.
  { ddoc: 'idx-unassigned', name: 'unassigned', fields: ['unassignedFrom'] },
];

/**
 * Indexes older releases created and nothing queries any more. Each one costs every write an
 * index entry, on the server and on every tablet (on a tablet, a first pull's IndexedDB work
 * grows with each index), so the bootstrap and the app delete them where they find them.
 */
export const RETIRED_MANGO_INDEXES: readonly MangoIndex[] = [
  { ddoc: 'idx-type-updated', name: 'type-updated', fields: ['type', 'updatedAt'] },
];

/** Whether `index` is among what `GET /{db}/_index` (or PouchDB's `getIndexes()`) lists. */
export function isListedIndex(index: MangoIndex, listed: readonly { ddoc: string | null; name: string }[]): boolean {
  return listed.some((known) => known.ddoc === `_design/${index.ddoc}` && known.name === index.name);
}
