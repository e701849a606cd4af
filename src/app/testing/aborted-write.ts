/**
 * What PouchDB's indexeddb adapter rejects a write with when IndexedDB aborts its transaction,
 * as a full storage does: `createError(UNKNOWN_ERROR, 'transaction was aborted')`, the
 * transaction's QuotaExceededError dropped.
 */
export function abortedWriteError(): Error {
  return Object.assign(new Error('Database encountered an unknown error'), {
    status: 500,
    name: 'unknown_error',
    error: true,
    reason: 'transaction was aborted',
  });
}
