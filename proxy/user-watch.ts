import type { Logger } from 'pino';
import { followChanges, type Change, type ChangesFeed } from './changes-feed';

const USER_DOC_PREFIX = 'org.couchdb.user:';

/**
 * Follows `_users` as server admin and reports every user whose login changed (disabled,
 * removed, new roles or password), so the proxy cuts them off at once rather than when
 * their sessions next expire. Every proxy instance runs its own watch.
 *
 * A user counts as changed when their doc's revision is new, not whenever a row names them.
 */
export function watchUsers(couchAdminUrl: string, onUserChanged: (name: string) => void, logger: Logger): ChangesFeed {
  // The revision of every user doc seen, so a change row replayed is not taken for a change:
  // a cluster's feed resumed after a node went down can start over from 0 on another copy
  // (at-least-once), which would otherwise cut off every user with a session.
  const revisions = new Map<string, string>();
  const seen = (change: Change) => {
    const rev = change.changes?.[0]?.rev;
    if (!change.id?.startsWith(USER_DOC_PREFIX) || !rev || revisions.get(change.id) === rev) return false;
    revisions.set(change.id, rev);
    return true;
  };
  return followChanges({
    couchAdminUrl,
    db: '_users',
    logger,
    // The revisions at start, and the sequence to go on from.
    async start(couchUrl, headers, signal) {
      const response = await fetch(`${couchUrl}/_users/_changes`, { headers, signal });
      if (!response.ok) throw new Error(`_users/_changes answered ${response.status}`);
      const { results, last_seq } = (await response.json()) as { results: Change[]; last_seq: unknown };
      for (const change of results) seen(change);
      return last_seq;
    },
    onChange: (change) => seen(change) && onUserChanged(change.id!.slice(USER_DOC_PREFIX.length)),
  });
}
