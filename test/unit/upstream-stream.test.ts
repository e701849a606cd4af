import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { streamUpstream } from '../../proxy/upstream-stream';

/** Serves one request per connection, then resets the connection when it is reused, as a server closing an idle keep-alive socket does. */
async function resettingServer() {
  const served = new WeakSet<object>();
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    if (served.has(req.socket)) return void req.socket.resetAndDestroy();
    served.add(req.socket);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

async function forwardingServer(upstreamUrl: string) {
  const agent = new http.Agent({ keepAlive: true });
  const failures: Error[] = [];
  const server = http.createServer(async (req, res) => {
    // Bodies read first, as the proxy reads those its rules check.
    const chunks: Uint8Array[] = [];
    for await (const chunk of req) chunks.push(chunk as Uint8Array);
    const body = req.method === 'POST' ? Buffer.concat(chunks) : undefined;
    streamUpstream(
      new URL(upstreamUrl),
      req,
      res,
      { path: req.url!, auth: {}, agent, silenceMs: 30_000, live: false, body },
      {
        answered: () => undefined,
        cookies: () => undefined,
        failed: (error) => failures.push(error),
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, agent, failures, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('streaming a request to CouchDB', () => {
  const started: { close(): void }[] = [];
  after(() => started.forEach((server) => server.close()));

  test('a GET on a pooled socket CouchDB has just closed goes again on a new one', async () => {
    const upstream = await resettingServer();
    const proxy = await forwardingServer(upstream.url);
    started.push(upstream.server, proxy.server, { close: () => proxy.agent.destroy() });
    const first = await fetch(`${proxy.url}/db/_changes`);
    assert.equal(first.status, 200);
    await first.arrayBuffer();
    const second = await fetch(`${proxy.url}/db/_changes?since=1`);
    assert.equal(second.status, 200);
    assert.deepEqual(await second.json(), { ok: true, path: '/db/_changes?since=1' });
    assert.equal(upstream.requests(), 3, 'the reset one, then the retry');
    assert.deepEqual(proxy.failures, []);
  });

  test('a read-only POST (the ids a replicator asks about) goes again too', async () => {
    const upstream = await resettingServer();
    const proxy = await forwardingServer(upstream.url);
    started.push(upstream.server, proxy.server, { close: () => proxy.agent.destroy() });
    await (await fetch(`${proxy.url}/db/_changes`)).arrayBuffer();
    const bulkGet = await fetch(`${proxy.url}/db/_bulk_get?revs=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"docs":[]}',
    });
    assert.equal(bulkGet.status, 200);
    assert.equal(upstream.requests(), 3);
  });

  test('a write is not sent twice: the reset ends it with 503', async () => {
    const upstream = await resettingServer();
    const proxy = await forwardingServer(upstream.url);
    started.push(upstream.server, proxy.server, { close: () => proxy.agent.destroy() });
    await (await fetch(`${proxy.url}/db/_changes`)).arrayBuffer();
    const post = await fetch(`${proxy.url}/db/_bulk_docs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(post.status, 503);
    assert.equal(upstream.requests(), 2);
  });
});
