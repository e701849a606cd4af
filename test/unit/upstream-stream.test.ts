import assert from 'node:assert/strict';
import http from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { once } from 'node:events';
import { idleSocketMs, localIdCheck, upstreamPools } from '../../proxy/couch-forward';
import type { BodyPace } from '../../proxy/json-body';
import { localDocRefusal } from '../../proxy/body-rules';
import { streamUpstream, type UpstreamExchange, type UpstreamRequest } from '../../proxy/upstream-stream';
import { within } from '../support/fixtures';
import { socketClosed } from '../support/raw-request';

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

/** A feed that writes `first` and then holds the response open; `closed` resolves when the proxy ends the request. */
async function holdingFeedServer(first: string) {
  let closed!: Promise<unknown>;
  const server = http.createServer((req, res) => {
    closed = once(req.socket, 'close');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(first);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, closed: () => closed };
}

/** The client's side: when its first bytes arrived, and how the response ended, with what it received. */
function readToEnd(url: string) {
  let arrived!: () => void;
  const firstBytes = new Promise<void>((resolve) => (arrived = resolve));
  const ended = new Promise<{ body: string; complete: boolean }>((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
          arrived();
        });
        res.on('error', () => undefined);
        res.on('close', () => resolve({ body, complete: res.complete }));
      })
      .on('error', reject);
  });
  return { firstBytes, ended };
}

/** A proxy of one route; with `bodyPace` or `bodyCheckOf` bodies stream through (at that pace, checked), else they are read first. */
async function forwardingServer(
  upstreamUrl: string,
  feed: { endsBetweenLines: boolean } | null = null,
  agent = new http.Agent({ keepAlive: true }),
  bodyPace?: BodyPace,
  /** A new check for each request's body. */
  bodyCheckOf?: () => UpstreamRequest['bodyCheck'],
) {
  const failures: Error[] = [];
  const withheld: { status: number; answer: string }[] = [];
  const exchanges: UpstreamExchange[] = [];
  const server = http.createServer(async (req, res) => {
    // Bodies read first, as the proxy reads those its rules check.
    const chunks: Uint8Array[] = [];
    const streamed = bodyPace !== undefined || bodyCheckOf !== undefined;
    if (!streamed) for await (const chunk of req) chunks.push(chunk as Uint8Array);
    const body = req.method === 'POST' && !streamed ? Buffer.concat(chunks) : undefined;
    const exchange = streamUpstream(
      new URL(upstreamUrl),
      req,
      res,
      {
        path: req.url!,
        clientPrefix: '',
        auth: {},
        agent,
        silenceMs: 30_000,
        live: feed !== null,
        endsBetweenLines: feed?.endsBetweenLines,
        body,
        bodyPace,
        bodyCheck: bodyCheckOf?.(),
      },
      {
        answered: () => undefined,
        cookies: () => undefined,
        failed: (error) => failures.push(error),
        withheld: (status, answer) => withheld.push({ status, answer }),
      },
    );
    exchanges.push(exchange);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, agent, failures, withheld, exchanges, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
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

describe('what passes between the client and CouchDB', () => {
  const started: { close(): void }[] = [];
  after(() => started.forEach((server) => server.close()));

  /** Answers 201 with the request's headers, and a `Location` chosen by path. */
  async function echoingServer() {
    const server = http.createServer((req, res) => {
      const location = { '/unparseable': 'http://[', '/elsewhere': 'http://evil.example/db/x', '/own': `${url}/db/x?rev=1` }[req.url!];
      res.writeHead(201, { 'content-type': 'application/json', ...(location ? { location } : {}) }).end(JSON.stringify(req.headers));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const proxy = await forwardingServer(url);
    started.push(server, proxy.server, { close: () => proxy.agent.destroy() });
    return proxy;
  }

  test('a redirect elsewhere, or one that does not parse, is dropped (a throw there ended the process); CouchDB’s own comes back through the proxy', async () => {
    const proxy = await echoingServer();
    for (const [path, location] of [
      ['/unparseable', undefined],
      ['/elsewhere', undefined],
      ['/own', '/db/x?rev=1'],
    ]) {
      const answer = await fetch(`${proxy.url}${path}`, { method: 'POST', body: '{}', redirect: 'manual' });
      assert.equal(answer.status, 201, path);
      assert.equal(answer.headers.get('location') ?? undefined, location, path);
    }
    assert.deepEqual(proxy.failures, []);
  });

  test('forwarding headers never reach CouchDB, nor the length of a body a GET or HEAD is sent without', async () => {
    const proxy = await echoingServer();
    const { hostname, port } = new URL(proxy.url);
    const received = await new Promise<Record<string, string>>((resolve, reject) => {
      const headers = {
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        forwarded: 'host=evil.example',
        'x-real-ip': '10.0.0.1',
      };
      http
        .request({ hostname, port, method: 'GET', path: '/db', agent: false, headers: { ...headers, 'content-length': '4' } }, (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(JSON.parse(text)));
        })
        .on('error', reject)
        .end('body');
    });
    for (const name of ['x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-real-ip', 'content-length', 'transfer-encoding']) {
      assert.equal(received[name], undefined, name);
    }
  });
});

describe("the proxy's socket pools", () => {
  test('close an idle socket before a Node server (as PouchDB Server) closes it, so no write meets a closing socket', async () => {
    let clientClosedFirst: Promise<boolean> | undefined;
    const upstream = http.createServer((req, res) => res.end('{"ok":true}'));
    assert.ok(upstream.keepAliveTimeout > idleSocketMs, "Node's default idle close, which PouchDB Server keeps");
    upstream.on('connection', (socket) => {
      // 'end' comes only when the other side closed first; a server's own idle close goes straight to 'close'.
      clientClosedFirst = new Promise((resolve) => {
        socket.once('end', () => resolve(true));
        socket.once('close', () => resolve(false));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const pools = upstreamPools();
    const proxy = await forwardingServer(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, null, pools.requests);
    try {
      const answer = await fetch(`${proxy.url}/db/_bulk_docs`, { method: 'POST', body: '{"docs":[]}' });
      assert.equal(answer.status, 200);
      await answer.arrayBuffer();
      assert.equal(await clientClosedFirst, true);
    } finally {
      proxy.server.close();
      upstream.close();
      pools.requests.destroy();
      pools.feeds.destroy();
    }
  });
});

describe('finishing a live feed when the proxy shuts down', () => {
  const started: { close(): void }[] = [];
  after(() => started.forEach((server) => server.close()));

  async function finishedFeed(first: string, endsBetweenLines: boolean) {
    const upstream = await holdingFeedServer(first);
    const proxy = await forwardingServer(upstream.url, { endsBetweenLines });
    started.push(upstream.server, proxy.server, { close: () => proxy.agent.destroy() });
    const client = readToEnd(`${proxy.url}/db/_changes?feed=continuous`);
    await client.firstBytes;
    proxy.exchanges[0].finish();
    await upstream.closed();
    return client.ended;
  }

  test('a continuous feed ends as a complete response after its last whole line, and its request to CouchDB ends', async () => {
    const line = '{"seq":"1-a","id":"x","changes":[{"rev":"1-b"}]}\n';
    assert.deepEqual(await finishedFeed(line, true), { body: line, complete: true });
  });

  test('one that stopped mid-line is cut, not closed on half a change', async () => {
    assert.equal((await finishedFeed('{"seq":"1-a","id":', true)).complete, false);
  });

  test('a longpoll is cut: its JSON cannot be closed', async () => {
    assert.equal((await finishedFeed('{"results":[\n', false)).complete, false);
  });
});

describe("CouchDB's failures", () => {
  const started: { close(): void }[] = [];
  after(() => started.forEach((server) => server.close()));

  const withheldReason = 'The database server failed on this request; see the proxy log.';
  // What PouchDB Server and CouchDB answered (the paths made up).
  const errorPage =
    '<!DOCTYPE html><html><body><pre>TypeError: docs.map is not a function<br> &nbsp; &nbsp;at bulkDocsWrapper (/srv/fieldbook/node_modules/pouchdb-bulkdocs/lib/index.js:12:3)</pre></body></html>';
  const erlangStack = JSON.stringify({
    error: 'error',
    reason:
      '{{nocatch,<<"expected more data">>},\n [{chttpd_db,receive_request_data,2,[{file,"src/chttpd_db.erl"},{line,1428}]},\n  {couch_httpd,read_until,3,[{file,"src/couch_httpd.erl"},{line,1268}]}]}',
  });
  const javascriptStack = JSON.stringify({
    error: 'bad_request',
    reason: 'TypeError: newDoc._id.indexOf is not a function\n    at eval (/srv/fieldbook/node_modules/couchdb-eval/lib/index.js:101:5)',
  });
  const couchOwn = JSON.stringify({ error: 'unknown_error', reason: 'badarg', ref: 435837934 });

  async function failingServer() {
    const answers: Record<string, [number, string, string]> = {
      '/page': [500, 'text/html; charset=utf-8', errorPage],
      '/erlang': [500, 'application/json', erlangStack],
      '/javascript': [500, 'application/json', javascriptStack],
      '/long': [502, 'application/json', JSON.stringify({ error: 'bad_gateway', reason: 'x'.repeat(100_000) })],
      '/couch': [500, 'application/json', couchOwn],
      '/fine': [200, 'text/html; charset=utf-8', errorPage],
    };
    const server = http.createServer((req, res) => {
      const [status, type, body] = answers[req.url!];
      res.writeHead(status, { 'content-type': type, 'x-couch-request-id': 'r1' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = await forwardingServer(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    started.push(server, proxy.server, { close: () => proxy.agent.destroy() });
    return proxy;
  }

  test('a 5xx that is not CouchDB’s JSON error, or has a stack trace in it, reaches the client as one without the server’s internals', async () => {
    const proxy = await failingServer();
    for (const [path, status, error] of [
      ['/page', 500, 'unknown_error'],
      ['/erlang', 500, 'error'],
      ['/javascript', 500, 'bad_request'],
      ['/long', 502, 'unknown_error'],
    ] as const) {
      const answer = await fetch(`${proxy.url}${path}`);
      assert.equal(answer.status, status, path);
      assert.match(answer.headers.get('content-type') ?? '', /^application\/json/, path);
      assert.deepEqual(await answer.json(), { error, reason: withheldReason }, path);
    }
    // What was withheld is the operator's to read.
    assert.deepEqual(
      proxy.withheld.map(({ status }) => status),
      [500, 500, 500, 502],
    );
    assert.equal(proxy.withheld[0].answer, errorPage);
    assert.equal(proxy.withheld[1].answer, erlangStack);
  });

  test('CouchDB’s own JSON error passes as it is, and any 2xx streams as it is', async () => {
    const proxy = await failingServer();
    const own = await fetch(`${proxy.url}/couch`);
    assert.equal(own.status, 500);
    assert.equal(own.headers.get('x-couch-request-id'), 'r1');
    assert.equal(await own.text(), couchOwn);
    const fine = await fetch(`${proxy.url}/fine`);
    assert.equal(fine.status, 200);
    assert.equal(await fine.text(), errorPage);
    assert.deepEqual(proxy.withheld, []);
  });
});

describe('a body streamed to CouchDB', () => {
  const started: { close(): void }[] = [];
  after(() => started.forEach((server) => server.close()));
  const pace: BodyPace = { windowMs: 300, minBytesPerS: 1024 };

  /** Reads each body whole, `holdMs` after it starts, and answers 201 with its length; `bodies` resolve with whether each arrived complete. */
  async function readingServer(holdMs = 0) {
    const bodies: Promise<boolean>[] = [];
    const server = http.createServer((req, res) => {
      bodies.push(new Promise((resolve) => req.on('close', () => resolve(req.complete))));
      req.pause();
      setTimeout(() => {
        let length = 0;
        req.on('data', (chunk: Uint8Array) => (length += chunk.length));
        req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ length })));
        req.resume();
      }, holdMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = await forwardingServer(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, null, undefined, pace);
    started.push(server, proxy.server, { close: () => proxy.agent.destroy() });
    return { proxy, bodies };
  }

  test('one that trickles in (a few bytes every 50 ms) is answered 408 and cut, and its request to CouchDB ends', async () => {
    const { proxy, bodies } = await readingServer();
    const answered = new Promise<http.ServerResponse>((resolve) =>
      proxy.server.once('request', (_req, res: http.ServerResponse) => res.once('close', () => resolve(res))),
    );
    const socket = connect(Number(new URL(proxy.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    let received = '';
    socket.on('data', (chunk) => (received += chunk));
    const closed = socketClosed(socket);
    socket.write('POST /db/_bulk_docs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    // Each chunk renewed the silence limit before; now 8 bytes every 50 ms (160 a second) is too slow.
    const trickle = setInterval(() => socket.write('8\r\n        \r\n'), 50);
    try {
      const res = await within(answered, 30_000, 'the proxy to answer');
      assert.equal(res.statusCode, 408);
      assert.equal(res.getHeader('connection'), 'close');
      assert.equal(await bodies[0], false, 'the request to CouchDB ended, its body cut short');
      await within(closed, 30_000, 'the proxy to close the connection');
      // The answer, unless the client's next bytes met the closed connection first (a reset).
      if (received) assert.match(received, /^HTTP\/1\.1 408 .*"error":"request_timeout"/s);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  });

  test('one arriving steadily above the pace, over many windows, goes through whole', async () => {
    // A slow tablet link, scaled down: 1 KiB every 100 ms is ten times the pace, for ten windows.
    const { proxy } = await readingServer();
    const chunks = 30;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        controller.enqueue(new Uint8Array(1024));
        if (++sent === chunks) controller.close();
      },
    });
    const answer = await fetch(`${proxy.url}/db/_bulk_docs`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    assert.equal(answer.status, 201);
    assert.deepEqual(await answer.json(), { length: chunks * 1024 });
  });

  test('one CouchDB is slow to take is not the client’s slowness: the proxy stopped reading it meanwhile', async () => {
    // Held for several windows; the client's 32 MB, far more than the sockets' buffers, wait meanwhile.
    const { proxy } = await readingServer(pace.windowMs * 5);
    const size = 32 * 1024 * 1024;
    const answer = await fetch(`${proxy.url}/db/_bulk_docs`, { method: 'POST', body: new Uint8Array(size) });
    assert.equal(answer.status, 201);
    assert.deepEqual(await answer.json(), { length: size });
  });
});

/** A CouchDB stand-in that keeps what each request's body brought, and whether it arrived whole. */
async function recordingServer() {
  const bodies: { bytes: number; whole: Promise<boolean> }[] = [];
  const server = http.createServer((req, res) => {
    const body = {
      bytes: 0,
      whole: new Promise<boolean>((resolve) => req.once('end', () => resolve(true)).once('close', () => resolve(req.complete))),
    };
    bodies.push(body);
    req.on('data', (chunk: Buffer) => (body.bytes += chunk.length));
    req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes: body.bytes })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, bodies, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** A chunked POST whose body goes in `parts`, each sent once `before(i)` resolves; the answer as status and text. */
function post(url: string, agent: http.Agent, parts: string[], before: (i: number) => Promise<void> = async () => undefined) {
  return new Promise<{ status: number; text: string; socket: unknown }>((resolve, reject) => {
    const req = http.request(
      `${url}/db/userdb-61/_bulk_docs`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text, socket: req.socket }));
      },
    );
    req.on('error', reject);
    void (async () => {
      for (const [i, part] of parts.entries()) {
        await before(i);
        if (req.destroyed) return;
        req.write(part);
      }
      req.end();
    })().catch(reject);
  });
}

describe('a streamed body checked as it passes', () => {
  const started: { close(): void }[] = [];
  after(() => started.forEach((server) => server.close()));

  test('refused mid-stream: CouchDB gets what went before and never the rest, the client its refusal on a connection it can go on using', async () => {
    const upstream = await recordingServer();
    const proxy = await forwardingServer(upstream.url, null, undefined, undefined, localIdCheck);
    const client = new http.Agent({ keepAlive: true, maxSockets: 1 });
    started.push(upstream.server, proxy.server, { close: () => (proxy.agent.destroy(), client.destroy()) });
    const photo = 'QUJD'.repeat(256 * 1024);
    const first = `{"docs":[{"_id":"defect:1","_attachments":{"a.jpg":{"data":"${photo}"}}},`;
    const parts = [first, '{"_id":"_loc', 'al/fieldbook-migration"},', `{"_id":"defect:2","text":"${photo}"}]}`];
    // Each part sent once the one before it reached CouchDB (or could not).
    const refused = await within(
      post(proxy.url, client, parts, async (i) => {
        if (i === 0 || i > 2) return;
        const sent = Buffer.byteLength(parts.slice(0, i).join(''));
        while ((upstream.bodies[0]?.bytes ?? 0) < sent) await new Promise((resolve) => setTimeout(resolve, 5));
      }),
      30_000,
      'the refusal',
    );
    assert.equal(refused.status, 403);
    assert.deepEqual(JSON.parse(refused.text), { error: localDocRefusal.error, reason: localDocRefusal.reason });
    assert.equal(await within(upstream.bodies[0].whole, 30_000, 'the request to CouchDB to end'), false);
    assert.equal(upstream.bodies[0].bytes, Buffer.byteLength(parts[0] + parts[1]));
    assert.deepEqual(proxy.failures, []);

    // The same connection, now that the refused body was read to its end.
    const next = await within(post(proxy.url, client, ['{"docs":[{"_id":"defect:3","text":"_local/x"}]}']), 30_000, 'the next answer');
    assert.equal(next.status, 201);
    assert.equal(next.socket, refused.socket);
    assert.equal(await upstream.bodies[1].whole, true);
  });

  test('refused in its first chunk, CouchDB gets nothing of it', async () => {
    const upstream = await recordingServer();
    const proxy = await forwardingServer(upstream.url, null, undefined, undefined, localIdCheck);
    started.push(upstream.server, proxy.server, { close: () => proxy.agent.destroy() });
    const refused = await within(post(proxy.url, new http.Agent(), ['{"docs":[{"_id":"_local/x"}]}']), 30_000, 'the refusal');
    assert.equal(refused.status, 403);
    // The request to CouchDB, if it got so far, had no body.
    for (const body of upstream.bodies) assert.equal(body.bytes, 0);
  });
});
