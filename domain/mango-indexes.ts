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
  { ddoc: 'idx-type-updated', name: 'type-updated', fields: ['type', 'updatedAt'] },
  { ddoc: 'idx-type-status', name: 'type-status', fields: ['type', 'status'] },
  { ddoc: 'idx-inspection', name: 'inspection', fields: ['inspectionId'] },
];
