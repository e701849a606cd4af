/* Map functions of the `fieldbook` design doc; CouchDB provides `emit`. */
declare function emit(key: unknown, value?: unknown): void;

/** Every document that has conflicting leaves, keyed by id, with the losing revs. */
export function conflictsMap(doc: { _id: string; _conflicts?: string[]; type?: string }) {
  if (doc._conflicts) emit(doc._id, { type: doc.type, conflicts: doc._conflicts });
}
