/**
 * CouchDB writes a newline this often on a live `_changes` feed while nothing changes; the
 * app asks for it on every live replication (PouchDB's default, made explicit).
 */
export const FEED_HEARTBEAT_MS = 10_000;

/** A feed silent for two heartbeats and this margin is broken (a dead server, a half-open connection). */
const SILENCE_MARGIN_MS = 5_000;

/**
 * Why a feed silent past its heartbeat was aborted (the request's abort reason; reading the
 * body fails, as Chrome reports it, with a TypeError); PouchDB's retry then opens a new feed.
 */
export class SilentFeedError extends Error {
  override readonly name = 'SilentFeedError';
  constructor(silenceMs: number) {
    const seconds = Math.round(silenceMs / 1000);
    super($localize`:@@sync.silentFeed:The live changes feed sent nothing for ${seconds}:seconds: s.`);
  }
}

/**
 * Wraps the remote database's fetch: a live `_changes` request that asked for heartbeats
 * and then sends nothing at all (no change, no heartbeat newline) for two heartbeats and a
 * margin is aborted, so the replication fails and retries on a fresh connection instead of
 * waiting forever (PouchDB 9 sets no timeout of its own). Every other request is untouched.
 */
export function withSilentFeedCutoff(fetchFn: typeof fetch, marginMs = SILENCE_MARGIN_MS): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://local');
    const heartbeatMs = liveFeedHeartbeatMs(url);
    if (!heartbeatMs) return fetchFn(input, init);
    const silenceMs = heartbeatMs * 2 + marginMs;
    const controller = new AbortController();
    const outer = init?.signal;
    if (outer?.aborted) controller.abort(outer.reason);
    outer?.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let body: TransformStreamDefaultController<Uint8Array> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(new SilentFeedError(silenceMs)), silenceMs);
    };
    // Whatever the fetch underneath does with the signal, the body the caller reads fails.
    controller.signal.addEventListener('abort', () => (clearTimeout(timer), body?.error(controller.signal.reason)), { once: true });
    arm();
    try {
      const response = await fetchFn(input, { ...init, signal: controller.signal });
      if (!response.body) {
        clearTimeout(timer);
        return response;
      }
      const watched = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          start: (output) => void (body = output),
          transform(chunk, output) {
            arm();
            output.enqueue(chunk);
          },
          flush: () => clearTimeout(timer),
        }),
      );
      return new Response(watched, { status: response.status, statusText: response.statusText, headers: response.headers });
    } catch (error) {
      clearTimeout(timer);
      throw error;
    }
  };
}

/** The heartbeat a live feed request asked for, or null for anything else. */
function liveFeedHeartbeatMs(url: URL): number | null {
  if (!/\/_changes\/?$/.test(url.pathname)) return null;
  if (!['longpoll', 'continuous', 'eventsource'].includes(url.searchParams.get('feed') ?? '')) return null;
  const heartbeat = Number(url.searchParams.get('heartbeat'));
  return Number.isFinite(heartbeat) && heartbeat > 0 ? heartbeat : null;
}
