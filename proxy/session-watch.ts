import type { Logger } from 'pino';
import { SESSIONS_DB } from '../couch/user-sessions';
import { followChanges, type ChangesFeed } from './changes-feed';

/**
 * Follows the sessions database as server admin and reports every session deleted (a
 * logout, an expiry, a user cut off), by its key, whichever proxy process deleted it: so a
 * logout on one process ends that session's feeds and cached entry on all of them.
 * Starts from the database's current sequence; replayed rows only end what is already gone.
 */
export function watchSessions(couchAdminUrl: string, onSessionEnded: (key: string) => void, logger: Logger): ChangesFeed {
  return followChanges({
    couchAdminUrl,
    db: SESSIONS_DB,
    logger,
    async start(couchUrl, headers, signal) {
      const response = await fetch(`${couchUrl}/${SESSIONS_DB}`, { headers, signal });
      if (!response.ok) throw new Error(`${SESSIONS_DB} answered ${response.status}`);
      return ((await response.json()) as { update_seq: unknown }).update_seq;
    },
    onChange: (change) => change.deleted && onSessionEnded(change.id!),
  });
}
