import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { newPhotoDoc } from '../../domain/photo-doc';
import { MIGRATION_PROGRESS_ID } from '../../domain/schema-versions';
import { userDbName } from '../../domain/user-db-name';
import { DEFAULT_LIMITS } from '../../proxy/admission';
import { localDocRefusal } from '../../proxy/body-rules';
import { startProxy, type RunningProxy } from '../../proxy/server';
import { PUSH_OPTIONS } from '../../src/app/core/replication-options';
import { defect, inspection, jpegBytes } from '../fixtures/documents';
import { basicAuth, loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { waitFor, within } from '../support/fixtures';
import { localDb, remoteDb } from '../support/node-pouch';
import { rawRequest, socketClosed } from '../support/raw-request';

/**
 * A tablet's push streams through the proxy unread (its photos inline pass 16 MB), so a `_local`
 * doc in it is found as it streams (proxy/push-id-scan.ts). `_local/fieldbook-migration` written
 * that way made `npm run migrate` skip the database.
 */
let stack: TestStack;
let cookie: string;
const alice = userDbName('alice');

before(async () => {
  stack = await startTestStack({ alice: 'inspector' });
  cookie = await loginCookie(stack.proxy.url, 'alice');
});
after(() => stack?.stop());

const push = (body: string, headers: Record<string, string> = { cookie }, baseUrl = stack.proxy.url) =>
  within(rawRequest(baseUrl, 'POST', `/db/${alice}/_bulk_docs`, headers, body), 60_000, 'the answer to a push');
/** Whether the server has `id` in alice's database, asked as its admin. */
const written = (id: string) =>
  stack.admin
    .use(alice)
    .get(id)
    .then(
      () => true,
      (error: { statusCode?: number }) => {
        if (error.statusCode === 404) return false;
        throw error;
      },
    );
/** A defect's full-size photo document, its image inline as a push carries it. */
const photoDoc = (defectId: string, bytes: number, stem = crypto.randomUUID()) =>
  newPhotoDoc({ defectId, createdBy: 'alice', createdAt: new Date().toISOString(), deviceId: 'tablet' }, stem, {
    content_type: 'image/jpeg',
    data: Buffer.from(jpegBytes(bytes)).toString('base64'),
  });

describe('a `_local` document in a tablet’s push', () => {
  test('is refused as in a checked body, and the server writes nothing of the push', async () => {
    const found = inspection('alice');
    const broken = defect('alice', found._id);
    const migration = `{"_id":"${MIGRATION_PROGRESS_ID}","target":1,"lastId":"zzz","done":true}`;
    const escaped = String.raw`{"\u005fid":"_\u006cocal\/fieldbook-migration","target":1,"lastId":"zzz","done":true}`;
    // Photos first: megabytes of the push have gone on to the server when the `_local` doc comes.
    const photos = [1, 2, 3].map(() => photoDoc(broken._id, 1_500_000));
    const later = photoDoc(broken._id, 1_000);
    const ordinary = [found, broken, ...photos, later];
    const docs = (local: string) =>
      `[${[found, broken, ...photos].map((doc) => JSON.stringify(doc)).join(',')},${local},${JSON.stringify(later)}]`;
    const bodies = [
      `{"docs":[${JSON.stringify(found)},${migration}]}`,
      `{"docs":${docs(migration)}}`,
      `{"docs":${docs(escaped)},"new_edits":true}`,
      // Two `_id`s: CouchDB writes one of them, PouchDB Server the other.
      `{"docs":${docs(`{"_id":"${MIGRATION_PROGRESS_ID}","_id":"inspection:x","lastId":"zzz"}`)}}`,
      `{"docs":${docs(`{"_id":"inspection:x","_id":"${MIGRATION_PROGRESS_ID}","lastId":"zzz"}`)}}`,
    ];
    assert.ok(bodies[1].length > 6_000_000, `${bodies[1].length} bytes`);
    for (const [i, body] of bodies.entries()) {
      const answer = await push(body);
      assert.equal(answer.status, localDocRefusal.status, `body ${i}: ${answer.body}`);
      assert.deepEqual(JSON.parse(answer.body), { error: localDocRefusal.error, reason: localDocRefusal.reason });
    }
    for (const id of [MIGRATION_PROGRESS_ID, 'inspection:x', ...ordinary.map((doc) => doc._id)]) assert.equal(await written(id), false, id);
    // The proxy carries on, and the same documents without the `_local` one are written.
    const answer = await push(JSON.stringify({ docs: ordinary }));
    assert.equal(answer.status, 201, answer.body);
    for (const doc of ordinary) assert.equal(await written(doc._id), true, doc._id);
  });

  test('the server writes nothing of a `_bulk_docs` whose body is cut short (what the refusal relies on)', async () => {
    const docs = [inspection('alice'), inspection('alice')];
    const body = JSON.stringify({ docs: [...docs, { _id: 'inspection:z', pad: 'x'.repeat(200_000) }] });
    const { hostname, port } = new URL(stack.couch.url);
    const socket = connect(Number(port), hostname);
    await once(socket, 'connect');
    const admin = new URL(stack.couch.adminUrl);
    const credentials = Buffer.from(`${decodeURIComponent(admin.username)}:${decodeURIComponent(admin.password)}`).toString('base64');
    socket.on('error', () => undefined);
    socket.write(
      `POST /${alice}/_bulk_docs HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Basic ${credentials}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    // Both documents whole, then part of the third.
    socket.write(body.slice(0, body.indexOf('inspection:z') + 100_000));
    await new Promise((resolve) => setTimeout(resolve, 500));
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const doc of docs) assert.equal(await written(doc._id), false, doc._id);
    // Sent whole, it is written.
    const whole = await stack.admin.request({ method: 'POST', path: `${alice}/_bulk_docs`, body: JSON.parse(body) });
    assert.equal((whole as unknown[]).length, 3);
    for (const doc of docs) assert.equal(await written(doc._id), true, doc._id);
  });

  test('a body in another charset than UTF-8 is refused (PouchDB Server would decode it, the scan cannot)', async () => {
    const found = inspection('alice');
    const body = Buffer.from(JSON.stringify({ docs: [found, { _id: MIGRATION_PROGRESS_ID, done: true }] }), 'utf16le');
    const answer = await within(
      sendBytes('POST', `/db/${alice}/_bulk_docs`, 'application/json; charset=utf-16le', body),
      60_000,
      'the answer',
    );
    assert.equal(answer.status, 415, answer.body);
    assert.equal(await written(found._id), false);
    assert.equal(await written(MIGRATION_PROGRESS_ID), false);
  });

  test('gives back its request place once, however far its body had gone', async () => {
    // One place: a second request while it is held is refused, the first once it is free again.
    const proxy = await startProxy({
      couchAdminUrl: stack.couch.adminUrl,
      port: 0,
      logger: pino({ level: 'silent' }),
      limits: { ...DEFAULT_LIMITS, maxRequests: 1 },
    });
    const authorization = basicAuth('alice');
    /** Its status once its answer has ended: until then it holds its place. */
    const readAlice = async () => {
      const response = await fetch(`${proxy.url}/db/${alice}`, { headers: { authorization } });
      await response.text();
      return response.status;
    };
    try {
      await waitFor(async () => (await readAlice()) === 200, 60_000, 'a first answer');
      const big = photoDoc('defect:1', 1_500_000);
      for (const body of [`{"docs":[{"_id":"_local/x"}]}`, `{"docs":[${JSON.stringify(big)},{"_id":"_local/x"},${JSON.stringify(big)}]}`]) {
        const answer = await push(body, { authorization }, proxy.url);
        assert.equal(answer.status, 403, answer.body);
        assert.equal(await readAlice(), 200);
      }
      // A push held open takes the one place: had a refusal given its place back twice, there would be two.
      const held = await holdPlace(proxy, authorization);
      try {
        await waitFor(async () => (await readAlice()) === 503, 60_000, 'a request past the one place to be refused');
      } finally {
        held.destroy();
      }
      await waitFor(async () => (await readAlice()) === 200, 60_000, 'the place to be free');
    } finally {
      await proxy.close();
    }
  });
});

describe('the rest of a refused push', () => {
  // The least pace asked of a body, short enough for a test; a trickle sends far less.
  const limits = { ...DEFAULT_LIMITS, bodySilenceMs: 400, minBodyBytesPerS: 1024 };
  const refused = '{"docs":[{"_id":"_local/x"},';

  test('sent whole, it is read and dropped: the 403 comes on a connection the client goes on using', async () => {
    const proxy = await startProxy({ couchAdminUrl: stack.couch.adminUrl, port: 0, logger: pino({ level: 'silent' }), limits });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const body = `${refused}${JSON.stringify(photoDoc('defect:1', 300_000))}]}`;
      const first = await within(agentRequest(agent, proxy.url, 'POST', `/db/${alice}/_bulk_docs`, body), 60_000, 'the refusal');
      assert.equal(first.status, 403, first.body);
      const second = await within(agentRequest(agent, proxy.url, 'GET', `/db/${alice}`), 60_000, 'the next answer');
      assert.equal(second.status, 200, second.body);
      assert.equal(second.reusedSocket, true, 'the same connection');
    } finally {
      agent.destroy();
      await proxy.close();
    }
  });

  /** Sends `head` and the start of a body of a million bytes, then the rest a byte at a time once answered `status`: the connection is closed. */
  async function trickledAfter(status: number, head: string): Promise<void> {
    const proxy = await startProxy({ couchAdminUrl: stack.couch.adminUrl, port: 0, logger: pino({ level: 'silent' }), limits });
    const { hostname, port } = new URL(proxy.url);
    const socket = connect(Number(port), hostname);
    socket.on('error', () => undefined);
    let trickle: NodeJS.Timeout | undefined;
    try {
      await once(socket, 'connect');
      const closed = socketClosed(socket);
      socket.write(`${head}Host: ${hostname}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n${refused}`);
      const [answer] = (await within(once(socket, 'data'), 60_000, 'the refusal')) as [Buffer];
      assert.match(answer.toString('latin1'), new RegExp(`^HTTP/1\\.1 ${status} `));
      // A client sending what is left a byte at a time, each soon enough to keep an idle connection open.
      trickle = setInterval(() => socket.writable && socket.write(' '), 50);
      await within(closed, 30_000, 'the trickled connection to be closed');
    } finally {
      clearInterval(trickle);
      socket.destroy();
      await proxy.close();
    }
  }

  test('trickled after the refusal, its connection is closed once it falls below the least body pace', () =>
    trickledAfter(403, `POST /db/${alice}/_bulk_docs HTTP/1.1\r\nCookie: ${cookie}\r\n`));

  test('the same for a body refused before any of it was read (no session)', () =>
    trickledAfter(401, `POST /db/${alice}/_bulk_docs HTTP/1.1\r\n`));
});

/** One request through `agent` (a keep-alive pool), with whether it went on a connection used before. */
function agentRequest(agent: Agent, baseUrl: string, method: string, path: string, body?: string) {
  return new Promise<{ status: number; body: string; reusedSocket: boolean }>((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method, agent, headers: { cookie, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A POST of `body` as it is, bytes the test helpers would send as UTF-8 text. */
function sendBytes(method: string, path: string, contentType: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.proxy.url}${path}`, { method, agent: false, headers: { cookie, 'content-type': contentType } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A push that `proxy` (in this process) admitted, its body left unfinished so it keeps its place. Tried
 * again while the place is still taken: the answer before has reached the client, but its end may not
 * yet have freed the place.
 */
async function holdPlace(proxy: RunningProxy, authorization: string): Promise<Socket> {
  const { hostname, port } = new URL(proxy.url);
  for (;;) {
    const admitted = new Promise<void>((resolve) =>
      proxy.server.once('request', (req: IncomingMessage) => req.once('resume', () => resolve())),
    );
    const held = connect(Number(port), hostname);
    held.on('error', () => undefined);
    await once(held, 'connect');
    held.write(
      `POST /db/${alice}/_bulk_docs HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${authorization}\r\n` +
        `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n{"docs":[\r\n`,
    );
    const answered = once(held, 'data').then(() => false);
    if (await within(Promise.race([admitted.then(() => true), answered]), 60_000, 'the push to be admitted or answered')) return held;
    held.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a body the proxy reads, in a charset other than UTF-8', () => {
  // In UTF-7, which PouchDB Server decodes, `+AF8-` is `_`: the proxy read a plain name, the server `_local/…`.
  const utf7 = 'application/json; charset=utf-7';
  const send = (method: string, path: string, body: object, contentType = utf7) =>
    within(sendBytes(method, path, contentType, Buffer.from(JSON.stringify(body))), 60_000, 'the answer');

  test('is refused (415), and the server writes or reads nothing of it', async () => {
    const migration = { _id: `+AF8-${MIGRATION_PROGRESS_ID.slice(1)}`, target: 1, lastId: 'zzz', done: true };
    const asId = inspection('alice');
    const { _id, ...unnamed } = asId;
    const attempts: [string, string, object][] = [
      ['POST', `/db/${alice}`, migration],
      ['PUT', `/db/${alice}/${encodeURIComponent(_id)}`, { ...unnamed, '+AF8-id': MIGRATION_PROGRESS_ID }],
      ['POST', `/db/${alice}/_bulk_get`, { docs: [{ id: '+AF8-local/_security' }] }],
      ['POST', `/db/${alice}/_all_docs?include_docs=true`, { keys: ['+AF8-local/_security'] }],
    ];
    for (const [method, path, body] of attempts) {
      const answer = await send(method, path, body);
      assert.equal(answer.status, 415, `${method} ${path}: ${answer.body}`);
      assert.deepEqual(JSON.parse(answer.body).error, 'bad_content_type');
    }
    assert.equal(await written(MIGRATION_PROGRESS_ID), false);
    assert.equal(await written(_id), false);
  });

  test('in UTF-8, named or not, goes through', async () => {
    const named = inspection('alice');
    const answer = await send('PUT', `/db/${alice}/${encodeURIComponent(named._id)}`, named, 'application/json; charset=UTF-8');
    assert.equal(answer.status, 201, answer.body);
    const posted = inspection('alice');
    assert.equal((await send('POST', `/db/${alice}`, posted, 'application/json')).status, 201);
    assert.equal(await written(posted._id), true);
  });
});

describe('a push without `_local` documents', () => {
  test('goes through, texts, nested objects and attachments naming `_local/` included', async () => {
    const found = inspection('alice', { notes: '_local/foo', extra: { _id: '_local/nested', list: [{ _id: '_local/x' }] } });
    const named = defect('alice', found._id, {
      description: '"_id": "_local/x"',
      location: '_local/',
      _attachments: { 'thumb-_local/x': { content_type: 'image/jpeg', data: Buffer.from('"_id":"_local/x"').toString('base64') } },
    });
    const answer = await push(JSON.stringify({ docs: [found, named] }));
    assert.equal(answer.status, 201, answer.body);
    assert.deepEqual(
      (JSON.parse(answer.body) as { id: string; ok?: boolean }[]).map(({ id, ok }) => [id, ok]),
      [
        [found._id, true],
        [named._id, true],
      ],
    );
    assert.equal(((await stack.admin.use(alice).get(found._id)) as unknown as { notes: string }).notes, '_local/foo');
  });

  test('a PouchDB replication with photos inline goes through whole', async () => {
    const found = inspection('alice');
    const broken = defect('alice', found._id);
    const docs = [found, broken, ...[1, 2, 3, 4].map(() => photoDoc(broken._id, 1_200_000))];
    const tablet = localDb('tablet');
    try {
      await tablet.bulkDocs(docs as PouchDB.Core.PutDocument<object>[]);
      // The tablet's own checkpoint is a `_local` doc too: PouchDB writes it by its path, which stays open.
      const result = await tablet.replicate.to(remoteDb(`${stack.proxy.url}/db/${alice}`, { cookie }), PUSH_OPTIONS);
      assert.equal(result.ok, true);
      assert.equal(result.docs_written, docs.length);
      for (const doc of docs) assert.equal(await written(doc._id), true, doc._id);
    } finally {
      await tablet.destroy();
    }
  });
});
