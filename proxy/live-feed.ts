/** A `_changes` request CouchDB holds open: longpoll, continuous or eventsource. */
export interface LiveFeed {
  kind: 'longpoll' | 'continuous' | 'eventsource';
  /** CouchDB writes a newline this often while nothing changes (`heartbeat`), if asked. */
  heartbeatMs: number | null;
  /** CouchDB ends a quiet feed after this long (`timeout`), if asked. */
  timeoutMs: number | null;
}

/** The `feed` values CouchDB holds open, and what it makes of each: `live` is its other name for continuous. */
const HELD_OPEN = new Map<string, LiveFeed['kind']>([
  ['longpoll', 'longpoll'],
  ['continuous', 'continuous'],
  ['live', 'continuous'],
  ['eventsource', 'eventsource'],
]);
/** CouchDB's default `[chttpd] changes_timeout`, what a feed without `timeout` gets. */
const COUCH_DEFAULT_TIMEOUT_MS = 60_000;
/** `heartbeat=true` means CouchDB's default of 60 s. */
const COUCH_DEFAULT_HEARTBEAT_MS = 60_000;

/**
 * The live feed a request to CouchDB asks for, or null for every other request. `query` must be
 * one every server reads alike (query-params.ts): its names are lower case and each there once.
 * CouchDB reads `_changes` parameter names in any letter case (`FEED=continuous` is a feed there),
 * which is why readQuery refuses others: a feed counted as an ordinary request escapes the feeds'
 * limits and takes an ordinary request's place for as long as it runs, and 8 of them (`feed=live`)
 * took every place a proxy had.
 */
export function liveFeedOf(targetPath: string, query: URLSearchParams): LiveFeed | null {
  const kind = HELD_OPEN.get(query.get('feed') ?? '');
  if (!kind || !isChangesPath(targetPath)) return null;
  const heartbeat = query.get('heartbeat');
  return {
    kind,
    heartbeatMs: heartbeat === 'true' ? COUCH_DEFAULT_HEARTBEAT_MS : positive(heartbeat),
    timeoutMs: positive(query.get('timeout')),
  };
}

/**
 * How long CouchDB may send nothing on this request before the proxy gives up on it. A
 * feed with heartbeats is dead once two are missed (a wedged or stopped server keeps the
 * socket open and silent); one without waits for its own timeout. Everything else gets
 * `requestSilenceMs`, also for the wait before the response starts.
 */
export function silenceLimitMs(feed: LiveFeed | null, requestSilenceMs: number): number {
  if (!feed) return requestSilenceMs;
  if (feed.heartbeatMs) return feed.heartbeatMs * 2 + 1_000;
  return (feed.timeoutMs ?? COUCH_DEFAULT_TIMEOUT_MS) + Math.max(15_000, requestSilenceMs);
}

/** Whether CouchDB reads the path as a `_changes` endpoint: decoded, as it does (`%5Fchanges` is one). */
function isChangesPath(path: string): boolean {
  const segments = path.split('/').filter(Boolean);
  try {
    return decodeURIComponent(segments[segments.length - 1] ?? '') === '_changes';
  } catch {
    return false;
  }
}

function positive(value: string | null): number | null {
  const number = Number(value ?? NaN);
  return Number.isFinite(number) && number > 0 ? number : null;
}
