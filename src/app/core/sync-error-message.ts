import { apiReasonMessage } from '../i18n/api-reason-messages';
import { isAbortedWrite } from '../storage/storage-full';

/**
 * A replication error as PouchDB reports it: an HTTP answer carrying CouchDB's
 * `{error, reason}` (sometimes only as a JSON string in `message`), or a failed fetch.
 */
export interface SyncError {
  status?: number;
  name?: string;
  message?: string;
  reason?: string;
  error?: string | boolean;
}

export const UNREACHABLE_MESSAGE = $localize`:@@sync.unreachable:The server cannot be reached. Changes stay on this device and sync when the connection returns.`;

// Statuses of CouchDB's error names, for errors that arrive without an HTTP status.
const STATUS_OF_ERROR: Record<string, number> = { unauthorized: 401, forbidden: 403 };

/** Up to this length, the server's own words are worth showing after our sentence. */
const SHORT_REASON = 80;

/** A sentence an inspector understands, for the sync page and the sync indicator. */
export function syncErrorMessage(raw: SyncError): string {
  // Copied field by field: spreading an Error would drop its `name` and `message`.
  const error: SyncError = {
    status: raw.status,
    name: raw.name,
    message: raw.message,
    reason: raw.reason,
    error: raw.error,
    ...jsonBody(raw.message),
    ...jsonBody(raw.reason),
  };
  const status = error.status || STATUS_OF_ERROR[String(error.error)] || 0;
  const reason = readable(error.reason) ?? readable(error.message);
  if (status === 401)
    return $localize`:@@sync.expired:Your session has expired. Sign in again to sync; changes stay on this device until then.`;
  if (status === 403)
    return reason
      ? $localize`:@@sync.refusedReason:The server refused to sync: ${apiReasonMessage(reason)}:reason:`
      : $localize`:@@sync.refused:The server refused to sync this account.`;
  if (storageFailed(error)) return $localize`:@@sync.storageFull:This device could not store synced data; its storage may be full.`;
  // 504 is also what the service worker answers for a fetch that failed.
  if (status === 504 || (!status && connectionFailed(error))) return UNREACHABLE_MESSAGE;
  if (status >= 500)
    return $localize`:@@sync.serverProblem:The server had a problem (${status}:status:). Changes stay on this device and sync when it recovers.`;
  const detail = reason ?? readable(error.name);
  const generic = $localize`:@@sync.unexpected:Sync stopped because of an unexpected problem. Changes stay on this device.`;
  return detail && detail.length <= SHORT_REASON ? `${generic} (${detail})` : generic;
}

/** The fields of a CouchDB error body that came as a JSON string. */
function jsonBody(text: string | undefined): SyncError {
  if (!looksLikeJson(text)) return {};
  try {
    const body: unknown = JSON.parse(text!);
    return typeof body === 'object' && body && !Array.isArray(body) ? (body as SyncError) : {};
  } catch {
    return {};
  }
}

function readable(text: unknown): string | undefined {
  const trimmed = typeof text === 'string' ? text.trim() : undefined;
  return trimmed && !looksLikeJson(trimmed) ? trimmed : undefined;
}

function looksLikeJson(text: string | undefined): boolean {
  return !!text && /^\s*[[{]/.test(text);
}

// A fetch that never got an answer: "Failed to fetch" (Chromium), "NetworkError when
// attempting to fetch resource." (Firefox), "Load failed" (Safari); or an answer that was
// not CouchDB's JSON: the service worker's empty 504 while offline, a captive portal.
// PouchDB's replicator copies such errors into its own type, so only the message is left.
function connectionFailed(error: SyncError): boolean {
  return (
    ['TypeError', 'NetworkError', 'AbortError', 'TimeoutError', 'SyntaxError'].includes(error.name ?? '') ||
    /fetch|network|load failed|offline|timed? ?out|json/i.test(error.message ?? '')
  );
}

// The browser's own storage failing (a full disk) must not read as the server's fault:
// PouchDB's IndexedDB adapters report it as a 500 of their own, the indexeddb one as an aborted write.
function storageFailed(error: SyncError): boolean {
  return ['indexed_db_went_bad', 'QuotaExceededError'].includes(error.name ?? '') || isAbortedWrite(error);
}
