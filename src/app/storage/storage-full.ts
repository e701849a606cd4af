/**
 * From this share of the browser's quota on, a write IndexedDB aborted is taken for full
 * storage (Chromium's quota shrinks with the disk's free space, so a full disk counts too).
 */
export const FULL_STORAGE_SHARE = 0.9;

/** An IndexedDB error, as the browser throws it or as PouchDB names it (`indexed_db_went_bad`, reason the error's name). */
function isQuotaError(error: unknown): boolean {
  const { name, reason } = (error ?? {}) as { name?: unknown; reason?: unknown };
  return name === 'QuotaExceededError' || reason === 'QuotaExceededError';
}

/**
 * PouchDB's indexeddb adapter rejects a write whose transaction IndexedDB aborted with this
 * `unknown_error`, dropping the transaction's own error: a full storage's QuotaExceededError
 * reaches the app only this way.
 */
export function isAbortedWrite(error: unknown): boolean {
  const { name, reason } = (error ?? {}) as { name?: unknown; reason?: unknown };
  return name === 'unknown_error' && reason === 'transaction was aborted';
}

/** Whether a failed write failed because this device's storage is full: the error says so, or an aborted write met a storage nearly at its quota. */
export async function isStorageFull(error: unknown): Promise<boolean> {
  if (isQuotaError(error)) return true;
  if (!isAbortedWrite(error) || !navigator.storage?.estimate) return false;
  try {
    const { usage, quota } = await navigator.storage.estimate();
    return !!quota && (usage ?? 0) >= quota * FULL_STORAGE_SHARE;
  } catch {
    return false;
  }
}
