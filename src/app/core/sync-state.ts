/** What the sync indicator shows; `paused` means caught up ("up to date"). */
export type SyncState = 'offline' | 'connecting' | 'syncing' | 'paused' | 'error';

export interface SyncStatus {
  state: SyncState;
  /** The proxy answered 401: the cookie expired and the user must log in again. */
  sessionExpired: boolean;
  /** The last replication failure, for the sync status page. */
  lastError: string | null;
  /** When both directions were last caught up. */
  lastSyncedAt: string | null;
}

export const SYNC_STATE_LABELS: Record<SyncState, string> = {
  offline: 'offline',
  connecting: 'connecting',
  syncing: 'syncing',
  paused: 'up to date',
  error: 'error',
};
