import type { Logger } from 'pino';
import { splitCredentials } from '../couch/couch-admin';

const USER_DOC_PREFIX = 'org.couchdb.user:';
const HEARTBEAT_MS = 10_000;
/** Reconnect delays: soon after a break, backing off while CouchDB stays unreachable. */
const RECONNECT_MS = 1_000;
const MAX_RECONNECT_MS = 10_000;

export interface UserWatch {
  stop(): void;
}

interface Change {
  id?: string;
  seq?: unknown;
  changes?: { rev: string }[];
}

/**
 * Follows `_users` as server admin and reports every user whose login changed (disabled,
 * removed, new roles or password), so the proxy cuts them off at once rather than when
 * their sessions next expire. Every proxy instance runs its own watch.
 *
 * A continuous feed with heartbeats, resumed from the last sequence after any break: a
 * longpoll would idle on PouchDB Server (it ignores `timeout`) until the HTTP client gives up.
 * A user counts as changed when their doc's revision is new, not whenever a row names them.
 */
export function watchUsers(couchAdminUrl: string, onUserChanged: (name: string) => void, logger: Logger): UserWatch {
  const { url, name, password } = splitCredentials(couchAdminUrl);
  const authorization = 'Basic ' + Buffer.from(`${name}:${password}`).toString('base64');
  // Uncompressed: PouchDB Server gzips when asked to, which holds back heartbeats and changes.
  const headers = { authorization, 'accept-encoding': 'identity' };
  const controller = new AbortController();
  let since: unknown = null;
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

  const follow = async () => {
    if (since === null) {
      // The revisions at start, and the sequence to go on from (not `since=now`, so no change
      // is lost while reconnecting).
      const start = await fetch(`${url}/_users/_changes`, { headers, signal: controller.signal });
      if (!start.ok) throw new Error(`_users/_changes answered ${start.status}`);
      const { results, last_seq } = (await start.json()) as { results: Change[]; last_seq: unknown };
      for (const change of results) seen(change);
      since = last_seq;
    }
    const feed = `${url}/_users/_changes?feed=continuous&heartbeat=${HEARTBEAT_MS}&since=${encodeURIComponent(String(since))}`;
    const response = await fetch(feed, { headers, signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`_users/_changes answered ${response.status}`);
    for await (const line of lines(response.body)) {
      const change = JSON.parse(line) as Change & { last_seq?: unknown };
      since = change.seq ?? change.last_seq ?? since;
      if (seen(change)) onUserChanged(change.id!.slice(USER_DOC_PREFIX.length));
    }
  };

  void (async () => {
    let delay = RECONNECT_MS;
    while (!controller.signal.aborted) {
      try {
        await follow();
        delay = RECONNECT_MS;
      } catch (error) {
        if (controller.signal.aborted) return;
        logger.warn({ error: (error as Error).message }, 'watching _users failed; resuming');
        delay = Math.min(delay * 2, MAX_RECONNECT_MS);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  })();
  return { stop: () => controller.abort() };
}

/** The non-empty lines of a streamed body (heartbeats are empty lines). */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const line of complete) if (line.trim()) yield line;
  }
}
