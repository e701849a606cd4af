import type { ServerResponse } from 'node:http';

/**
 * Open forwarded requests per user, so that logging out or disabling a user also ends
 * their long-lived `_changes` feeds instead of letting them run on.
 */
export class LiveRequests {
  private readonly byUser = new Map<string, Set<{ res: ServerResponse; sessionId?: string }>>();

  track(name: string, res: ServerResponse, sessionId?: string): void {
    const entry = { res, sessionId };
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
}
