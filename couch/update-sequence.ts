/** A database's update sequence: an opaque string from CouchDB, a number from PouchDB Server. */
export type UpdateSequence = string | number;

/** Whether a value read back from a stored record can be sent as `since` (a record edited by hand may hold anything). */
export function isUpdateSequence(value: unknown): value is UpdateSequence {
  return (typeof value === 'string' && value.length > 0 && value.length < 4096) || (Number.isSafeInteger(value) && (value as number) >= 0);
}
