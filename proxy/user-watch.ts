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

/**
 * Follows `_users` as server admin and reports every user whose login changed (disabled,
 * removed, new roles or password), so the proxy cuts them off at once rather than when
 * their sessions next expire. Every proxy instance runs its own watch.
 *
 * A continuous feed with heartbeats, resumed from the last sequence after any break: a
 * longpoll would idle on PouchDB Server (it ignores `timeout`) until the HTTP client gives up.
 */
export function watchUsers(couchAdminUrl: string, onUserChanged: (name: string) => void, logger: Logger): UserWatch {
  const { url, name, password } = splitCredentials(couchAdminUrl);
  const authorization = 'Basic ' + Buffer.from(`${name}:${password}`).toString('base64');
  // Uncompressed: PouchDB Server gzips when asked to, which holds back heartbeats and changes.
  const headers = { authorization, 'accept-encoding': 'identity' };
  const controller = new AbortController();
  let since: unknown = null;

  const follow = async () => {
    if (since === null) {
      // From the sequence at start, not `since=now`, so no change is lost while reconnecting.
      const info = await fetch(`${url}/_users`, { headers, signal: controller.signal });
      if (!info.ok) throw new Error(`_users answered ${info.status}`);
      since = ((await info.json()) as { update_seq: unknown }).update_seq;
    }
    const feed = `${url}/_users/_changes?feed=continuous&heartbeat=${HEARTBEAT_MS}&since=${encodeURIComponent(String(since))}`;
    const response = await fetch(feed, { headers, signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`_users/_changes answered ${response.status}`);
    for await (const line of lines(response.body)) {
      const change = JSON.parse(line) as { id?: string; seq?: unknown; last_seq?: unknown };
      since = change.seq ?? change.last_seq ?? since;
      if (change.id?.startsWith(USER_DOC_PREFIX)) onUserChanged(change.id.slice(USER_DOC_PREFIX.length));
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
