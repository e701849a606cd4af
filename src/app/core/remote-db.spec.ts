import { waitFor } from '../testing/test-support';
import { remoteDb } from './remote-db';

describe('remoteDb', () => {
  it("sends the server's requests past the service worker, with the session cookie", async () => {
    const fetchSpy = spyOn(window, 'fetch').and.resolveTo(
      new Response(JSON.stringify({ db_name: 'userdb-616e61', doc_count: 0, update_seq: '0' }), {
        headers: { 'content-type': 'application/json' },
      }),
    );
    await remoteDb('userdb-616e61').info();
    const [url, init] = fetchSpy.calls.mostRecent().args as [string, RequestInit];
    expect(new URL(url).pathname).toMatch(/\/db\/userdb-616e61\/?$/);
    expect(new Headers(init.headers).get('ngsw-bypass')).toBe('true');
    expect(init.credentials).toBe('same-origin');
  });

  it('aborts a request still waiting for an answer when the database is ended (sync gave up on that attempt)', async () => {
    const fetchSpy = spyOn(window, 'fetch').and.callFake(
      (_input, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason))),
    );
    const ended = new AbortController();
    const info = remoteDb('userdb-616e61', ended.signal).info();
    await waitFor(() => fetchSpy.calls.count() > 0, 'the request');
    ended.abort();
    const [, init] = fetchSpy.calls.mostRecent().args as [string, RequestInit];
    expect(init.signal?.aborted).toBeTrue();
    await expectAsync(info).toBeRejected();
  });
});
