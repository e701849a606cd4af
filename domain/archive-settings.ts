/**
 * The server-side setting that decides when a closed inspection leaves the tablets: kept in a
 * small database only server admins can write (`npm run settings`), served read-only to every
 * signed-in user by the proxy (`GET /api/settings`).
 */

/** The admin-only database of server-side settings. */
export const SETTINGS_DB = 'fieldbook-settings';

/** The settings document in it. */
export const SETTINGS_DOC_ID = 'settings';

/** Days after its approval an inspection stays on the tablets, unless an admin sets another period. */
export const DEFAULT_ARCHIVE_DAYS = 30;

/** The longest period an admin may set: ten years. */
export const MAX_ARCHIVE_DAYS = 3650;

/** What the proxy serves and the tablet caches. */
export interface AppSettings {
  archiveDays: number;
}

/** Whether `value` is a period an admin may set: whole days, 0 (archive as soon as approved) to ten years. */
export function isArchiveDays(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_ARCHIVE_DAYS;
}

/** The settings a stored document (or a served answer) says, the default for whatever is missing or wrong. */
export function appSettingsOf(doc: unknown): AppSettings {
  const days = (doc as { archiveDays?: unknown } | null)?.archiveDays;
  return { archiveDays: isArchiveDays(days) ? days : DEFAULT_ARCHIVE_DAYS };
}

/** An admin's typed period, or why it is not one. */
export function parseArchiveDays(text: string): { days: number } | { error: string } {
  const days = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  return isArchiveDays(days)
    ? { days }
    : { error: `archive-days must be a whole number of days from 0 to ${MAX_ARCHIVE_DAYS}, not "${text}"` };
}
