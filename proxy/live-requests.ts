import type { ServerResponse } from 'node:http';
import { keyOf } from './session-store';

interface Entry {
  res: ServerResponse;
  sessionId?: string;
  /** How a live feed ends when the proxy shuts down; null for other requests. */
  finishFeed: (() => void) | null;
}

/**
 * Open forwarded requests per user and per session, so that logging out or disabling a
 * user (here or on another proxy process) also ends their long-lived `_changes` feeds
 * instead of letting them run on.
 */
export class LiveRequests {
  private readonly byUser = new Map<string, Set<Entry>>();
  /** By session key (session-store.ts keyOf), as the sessions feed names them. */
  private readonly bySessionKey = new Map<string, Set<Entry>>();
  private feedsEnded = false;

  track(name: string, res: ServerResponse, sessionId: string | undefined, finishFeed: (() => void) | null): void {
    // Let in after endFeeds (its caller was still being identified): it would run to the drain bound and be cut there.
    if (finishFeed && this.feedsEnded) return finishFeed();
    const entry = { res, sessionId, finishFeed };
    const indexes: [Map<string, Set<Entry>>, string][] = [[this.byUser, name]];
    if (sessionId) indexes.push([this.bySessionKey, keyOf(sessionId)]);
    for (const [index, key] of indexes) {
      let entries = index.get(key);
      if (!entries) index.set(key, (entries = new Set()));
      entries.add(entry);
      res.once('close', () => {
        entries.delete(entry);
        if (entries.size === 0 && index.get(key) === entries) index.delete(key);
      });
    }
  }

  /** Ends the user's open requests, or only those of one session. */
  end(name: string, sessionId?: string): void {
    for (const entry of this.byUser.get(name) ?? []) {
      if (!sessionId || entry.sessionId === sessionId) cutOff(entry);
    }
  }

  /** Ends the open requests of the session stored under this key. */
  endSession(key: string): void {
    for (const entry of this.bySessionKey.get(key) ?? []) cutOff(entry);
  }

  /** Ends every live feed, of every user, and each one let in from now on; other requests run to their end. */
  endFeeds(): void {
    this.feedsEnded = true;
    for (const entries of this.byUser.values()) for (const entry of entries) entry.finishFeed?.();
  }
}

/**
 * Ends a request of a login cut off. A feed ends as a complete response where it can, so its
 * client asks again at once and hears the refusal: cut mid-stream, a partner's CouchDB
 * replicator waited 30 s on the dead stream before its job failed.
 */
function cutOff(entry: Entry): void {
  if (entry.finishFeed) entry.finishFeed();
  else entry.res.destroy();
}
