import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { localDocRefusal } from '../../proxy/body-rules';
import type { CouchError } from '../../proxy/couch-error';
import { PushIdScan } from '../../proxy/push-id-scan';
import { streamUpstream } from '../../proxy/upstream-stream';
import { within } from '../support/fixtures';

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

/** A proxy of one route streaming every body through, checked for `_local` docs as couch-forward.ts checks a push. */
async function checkingProxy(upstreamUrl: string) {
  const agent = new http.Agent({ keepAlive: true });
  const failures: Error[] = [];
  const server = http.createServer((req, res) => {
    const scan = new PushIdScan();
    streamUpstream(
      new URL(upstreamUrl),
      req,
      res,
      {
        path: req.url!,
        clientPrefix: '',
        auth: {},
        agent,
        silenceMs: 30_000,
        live: false,
        bodyCheck: (chunk): CouchError | null => (scan.write(chunk) ? localDocRefusal : null),
      },
      { answered: () => undefined, cookies: () => undefined, failed: (error) => failures.push(error), withheld: () => undefined },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, agent, failures, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
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
    const proxy = await checkingProxy(upstream.url);
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
    const proxy = await checkingProxy(upstream.url);
    started.push(upstream.server, proxy.server, { close: () => proxy.agent.destroy() });
    const refused = await within(post(proxy.url, new http.Agent(), ['{"docs":[{"_id":"_local/x"}]}']), 30_000, 'the refusal');
    assert.equal(refused.status, 403);
    // The request to CouchDB, if it got so far, had no body.
    for (const body of upstream.bodies) assert.equal(body.bytes, 0);
  });
});
