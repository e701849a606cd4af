import type { Logger } from 'pino';
import { basicAuthorization, splitCredentials } from '../couch/couch-admin';

const HEARTBEAT_MS = 10_000;
/**
 * Heartbeats missed before the connection counts as dead and is opened again. Without it a
 * connection that went silent (a frozen node, a dropped route) held the watch until the HTTP
 * client's body timeout, 5 minutes, while logouts and disabled users went unheard.
 */
const SILENT_HEARTBEATS = 3;
/** Reconnect delays: soon after a break, backing off while CouchDB stays unreachable. */
const RECONNECT_MS = 1_000;
const MAX_RECONNECT_MS = 10_000;

export interface Change {
  id?: string;
  seq?: unknown;
  deleted?: boolean;
  changes?: { rev: string }[];
}

export interface ChangesFeedOptions {
  couchAdminUrl: string;
  db: string;
  /** Where to start: called before the first connection with CouchDB's URL (no credentials) and admin headers; returns the sequence to follow from. */
  start(couchUrl: string, headers: Record<string, string>, signal: AbortSignal): Promise<unknown>;
  onChange(change: Change): void;
  logger: Logger;
  /** How often CouchDB sends a heartbeat on an idle feed (default 10 s). */
  heartbeatMs?: number;
}

export interface ChangesFeed {
  stop(): void;
}

/**
 * Follows one database's changes as server admin: a continuous feed with heartbeats,
 * resumed from the last sequence after any break (so no change is lost while reconnecting).
 * A longpoll would idle on PouchDB Server (it ignores `timeout`) until the HTTP client gives up.
 * At-least-once: a cluster's feed resumed on another copy may replay rows.
 */
export function followChanges(options: ChangesFeedOptions): ChangesFeed {
  const { url, name, password } = splitCredentials(options.couchAdminUrl);
  const authorization = basicAuthorization(name, password);
  // Uncompressed: PouchDB Server gzips when asked to, which holds back heartbeats and changes.
  const headers = { authorization, 'accept-encoding': 'identity' };
  const controller = new AbortController();
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  let since: unknown = null;

  const follow = async () => {
    if (since === null) since = await options.start(url, headers, controller.signal);
    const silent = new AbortController();
    let silence: NodeJS.Timeout | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(() => silent.abort(new Error('the feed went silent')), heartbeatMs * SILENT_HEARTBEATS);
    };
    heard();
    try {
      const feed = `${url}/${options.db}/_changes?feed=continuous&heartbeat=${heartbeatMs}&since=${encodeURIComponent(String(since))}`;
      const response = await fetch(feed, { headers, signal: AbortSignal.any([controller.signal, silent.signal]) });
      if (!response.ok || !response.body) throw new Error(`${options.db}/_changes answered ${response.status}`);
      for await (const line of lines(response.body, heard)) {
        const change = JSON.parse(line) as Change & { last_seq?: unknown };
        since = change.seq ?? change.last_seq ?? since;
        if (change.id) options.onChange(change);
      }
    } catch (error) {
      throw silent.signal.aborted ? silent.signal.reason : error;
    } finally {
      clearTimeout(silence);
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
        options.logger.warn({ error: (error as Error).message, db: options.db }, 'following changes failed; resuming');
        delay = Math.min(delay * 2, MAX_RECONNECT_MS);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  })();
  return { stop: () => controller.abort() };
}

/** The non-empty lines of a streamed body (heartbeats are empty lines); `heard` is told of every chunk. */
async function* lines(body: ReadableStream<Uint8Array>, heard: () => void): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body) {
    heard();
    buffered += decoder.decode(chunk, { stream: true });
    const complete = buffered.split('\n');
    buffered = complete.pop()!;
    for (const line of complete) if (line.trim()) yield line;
  }
}
