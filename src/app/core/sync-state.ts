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
  offline: $localize`:@@syncState.offline:offline`,
  connecting: $localize`:@@syncState.connecting:connecting`,
  syncing: $localize`:@@syncState.syncing:syncing`,
  paused: $localize`:@@syncState.paused:up to date`,
  error: $localize`:@@syncState.error:error`,
};
