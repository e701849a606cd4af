import type { ServerResponse } from 'node:http';

/**
 * Open forwarded requests per user, so that logging out or disabling a user also ends
 * their long-lived `_changes` feeds instead of letting them run on.
 */
export class LiveRequests {
  private readonly byUser = new Map<string, Set<{ res: ServerResponse; sessionId?: string; feed: boolean }>>();

  track(name: string, res: ServerResponse, sessionId: string | undefined, feed: boolean): void {
    const entry = { res, sessionId, feed };
    let entries = this.byUser.get(name);
    if (!entries) this.byUser.set(name, (entries = new Set()));
    entries.add(entry);
    res.once('close', () => {
      entries.delete(entry);
      if (entries.size === 0 && this.byUser.get(name) === entries) this.byUser.delete(name);
    });
  }

  /** Ends the user's open requests, or only those of one session. */
  end(name: string, sessionId?: string): void {
    for (const entry of this.byUser.get(name) ?? []) {
      if (!sessionId || entry.sessionId === sessionId) entry.res.destroy();
    }
  }

  /** Ends every live feed, of every user; other requests run to their end. */
  endFeeds(): void {
    for (const entries of this.byUser.values()) for (const entry of entries) if (entry.feed) entry.res.destroy();
  }
}
