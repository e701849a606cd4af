import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { userDbName } from '../../domain/user-db-name';
import { isDbRequest } from '../../proxy/db-route';
import type { RunningProxy } from '../../proxy/server';
import { basicAuth, startTestStack, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { rawRequest, wireRequest, wireText } from '../support/raw-request';

/**
 * What the `/db` route adds to every database request (security headers, logging of
 * failures only, the server root, 503 when CouchDB is gone), against the real embedded
 * server, with a proxy whose log the test reads.
 */
const ALICE = basicAuth('alice');
const aliceDb = userDbName('alice');
const bobDb = userDbName('bob');

let stack: TestStack;
let proxy: RunningProxy;
const logged: { level: number; msg: string; req?: { method: string; url: string }; res?: { statusCode: number } }[] = [];

before(async () => {
  stack = await startTestStack();
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
  proxy = await stack.anotherProxy({ logger });
});
after(async () => {
  try {
    await proxy?.close();
  } finally {
    await stack?.stop();
  }
});

const get = (path: string, headers: Record<string, string> = { authorization: ALICE }) => fetch(`${proxy.url}${path}`, { headers });
const loggedRequests = () =>
  logged.filter((entry) => entry.req).map((entry) => [entry.level, entry.req!.method, entry.req!.url, entry.res!.statusCode]);

describe('the /db route', () => {
  test('is /db and everything under it, as an Express mount at /db was', () => {
    for (const url of ['/db', '/db/', '/db?x=1', `/db/${aliceDb}/_changes?since=0`, '/DB/x']) assert.equal(isDbRequest(url), true, url);
    for (const url of ['/dbx', '/d', '/', '/api/db', '//db', '/_utils/db']) assert.equal(isDbRequest(url), false, url);
  });

  test('answers with fixed security headers for JSON, allowed or refused', async () => {
    for (const [path, headers, status] of [
      // CouchDB answers text/plain unless asked for JSON; the proxy's own refusals are always JSON.
      [`/db/${aliceDb}`, { authorization: ALICE, accept: 'application/json' }, 200],
      [`/db/${bobDb}`, { authorization: ALICE }, 403],
      [`/db/${aliceDb}`, {}, 401],
    ] as const) {
      const response = await get(path, headers);
      assert.equal(response.status, status, path);
      assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; frame-ancestors 'none'");
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(response.headers.get('cross-origin-resource-policy'), 'same-origin');
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    }
    // Everything else keeps helmet's headers.
    const health = await get('/health', {});
    assert.match(health.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(health.headers.get('x-frame-options'), 'SAMEORIGIN');
  });

  test('logs failed requests only, and never credentials', async () => {
    logged.length = 0;
    const ok = await get(`/db/${aliceDb}`);
    assert.equal(ok.status, 200);
    await ok.text();
    const refused = await get(`/db/${bobDb}`, { authorization: ALICE, cookie: 'fieldbook_session=secret-id' });
    assert.equal(refused.status, 403);
    await refused.text();
    // Responses are logged when they close, in order: once a failing marker request sent after
    // both is logged, the 200 would have been logged before it.
    const marker = `/db/${bobDb}/marker`;
    assert.equal((await get(marker)).status, 403);
    await waitFor(async () => loggedRequests().some(([, , url]) => url === marker), 60_000, 'the marker request to be logged');
    assert.deepEqual(loggedRequests(), [
      [30, 'GET', `/db/${bobDb}`, 403],
      [30, 'GET', marker, 403],
    ]);
    const text = JSON.stringify(logged);
    assert.ok(!text.includes(ALICE.slice('Basic '.length)) && !text.includes('secret-id'), text);
  });

  test('answers the server root for PouchDB, to logged-in callers only', async () => {
    const { uuid } = (await (await fetch(stack.couch.url)).json()) as { uuid: string };
    assert.ok(uuid);
    for (const path of ['/db', '/db/']) {
      const response = await get(path);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { couchdb: 'Welcome', uuid, vendor: { name: 'Fieldbook' } });
    }
    assert.equal((await get('/db', {})).status, 401);
    const post = await rawRequest(proxy.url, 'POST', '/db', { authorization: ALICE }, '{}');
    assert.equal(post.status, 403);
    assert.equal((JSON.parse(post.body) as { error: string }).error, 'forbidden');
  });

  test('compresses answers for a client that accepts it (the first pull’s pages), never a live feed', async () => {
    const docs = Array.from({ length: 50 }, () => inspection('alice'));
    const written = await fetch(`${proxy.url}/db/${aliceDb}/_bulk_docs`, {
      method: 'POST',
      headers: { authorization: ALICE, 'content-type': 'application/json' },
      body: JSON.stringify({ docs }),
    });
    assert.equal(written.status, 201);
    const bulkGet = (acceptEncoding: string) =>
      wireRequest(
        proxy.url,
        'POST',
        `/db/${aliceDb}/_bulk_get?revs=true`,
        { authorization: ALICE, 'content-type': 'application/json', accept: 'application/json', 'accept-encoding': acceptEncoding },
        JSON.stringify({ docs: docs.map(({ _id }) => ({ id: _id })) }),
      );
    const plain = await bulkGet('identity');
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    // The proxy's brotli on CouchDB (which compresses nothing); PouchDB Server's own, passed through.
    const compressed = await bulkGet('gzip, deflate, br, zstd');
    assert.equal(compressed.status, 200);
    assert.match(String(compressed.headers['content-encoding']), /^(br|gzip)$/);
    assert.deepEqual(JSON.parse(wireText(compressed)), JSON.parse(wireText(plain)));
    assert.ok(compressed.bytes.length * 3 < plain.bytes.length, `${compressed.bytes.length} bytes for ${plain.bytes.length}`);

    // A longpoll with changes waiting answers at once, as a live feed all the same: never held in a compressor.
    const feed = await wireRequest(proxy.url, 'GET', `/db/${aliceDb}/_changes?feed=longpoll&since=0&include_docs=true`, {
      authorization: ALICE,
      'accept-encoding': 'gzip, deflate, br',
    });
    assert.equal(feed.status, 200);
    assert.equal(feed.headers['content-encoding'], undefined);
    assert.ok(JSON.parse(wireText(feed)).results.length >= docs.length);
  });

  test('is 503 in CouchDB’s shape when CouchDB does not answer, and logs it as an error', async () => {
    // Alice's Basic check is cached, so the request gets as far as forwarding.
    assert.equal((await get(`/db/${aliceDb}`)).status, 200);
    await stack.couch.stop();
    try {
      logged.length = 0;
      const response = await get(`/db/${aliceDb}/_all_docs`);
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), { error: 'service_unavailable', reason: 'The database server is not reachable.' });
      await waitFor(async () => loggedRequests().length > 0, 60_000, 'the failure to be logged');
      assert.deepEqual(loggedRequests(), [[50, 'GET', `/db/${aliceDb}/_all_docs`, 503]]);
    } finally {
      await stack.restartCouch();
    }
  });
});
