import { SilentFeedError, withSilentFeedCutoff } from './silent-feed-fetch';

/** A fake server response whose body the test writes to, and the signal the request was made with. */
function fakeServer() {
  let body!: ReadableStreamDefaultController<Uint8Array>;
  let signal: AbortSignal | undefined;
  const stream = new ReadableStream<Uint8Array>({ start: (controller) => void (body = controller) });
  const fetchFn = jasmine.createSpy('fetch').and.callFake(async (_input: RequestInfo | URL, init?: RequestInit) => {
    signal = init?.signal ?? undefined;
    return new Response(stream, { status: 200, headers: { 'content-type': 'application/json' } });
  });
  const bytes = (text: string) => new TextEncoder().encode(text);
  return { fetchFn, send: (text: string) => body.enqueue(bytes(text)), end: () => body.close(), signal: () => signal };
}

// Heartbeat 20 ms and margin 20 ms: cut after 60 ms of silence.
const FEED = '/db/userdb-616e61/_changes?style=all_docs&feed=longpoll&heartbeat=20&since=now';

describe('withSilentFeedCutoff', () => {
  it('cuts a live feed that sends nothing past two heartbeats and the margin: the read fails, the request is aborted', async () => {
    const server = fakeServer();
    const response = await withSilentFeedCutoff(server.fetchFn, 20)(FEED);
    await expectAsync(response.text()).toBeRejected();
    expect(server.signal()?.aborted).toBeTrue();
    expect(server.signal()?.reason).toEqual(jasmine.any(SilentFeedError));
  });

  it('keeps a feed whose heartbeats keep coming, and hands over its whole answer', async () => {
    // The cutoff waits on time itself: the fake clock moves it, each step once a heartbeat is through.
    jasmine.clock().install();
    try {
      const server = fakeServer();
      const response = await withSilentFeedCutoff(server.fetchFn, 20)(FEED);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      // Heartbeats for well past the silence limit, each within it.
      for (let i = 0; i < 8; i++) {
        server.send('\n');
        const { value } = await reader.read();
        text += decoder.decode(value, { stream: true });
        jasmine.clock().tick(15);
      }
      expect(server.signal()?.aborted).toBeFalse();
      server.send('{"results":[],"last_seq":"5"}');
      server.end();
      for (let read = await reader.read(); !read.done; read = await reader.read()) text += decoder.decode(read.value, { stream: true });
      expect(text).toBe('\n'.repeat(8) + '{"results":[],"last_seq":"5"}');
      expect(server.signal()?.aborted).toBeFalse();
    } finally {
      jasmine.clock().uninstall();
    }
  });

  it('leaves other requests and feeds without heartbeats alone', async () => {
    for (const url of [
      '/db/userdb-616e61/_all_docs',
      '/db/userdb-616e61/_changes?feed=longpoll&since=now',
      '/db/userdb-616e61/_changes?since=0',
    ]) {
      const fetchFn = jasmine.createSpy('fetch').and.resolveTo(new Response('{}'));
      const init = { method: 'GET' };
      await withSilentFeedCutoff(fetchFn, 20)(url, init);
      expect(fetchFn).toHaveBeenCalledWith(url, init);
    }
  });

  it("passes PouchDB's own abort through", async () => {
    const server = fakeServer();
    const cancel = new AbortController();
    const response = await withSilentFeedCutoff(server.fetchFn, 60_000)(FEED.replace('heartbeat=20', 'heartbeat=10000'), {
      signal: cancel.signal,
    });
    const text = response.text();
    cancel.abort();
    await expectAsync(text).toBeRejected();
    expect(server.signal()?.aborted).toBeTrue();
  });
});
