import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { userDbName } from '../../domain/user-db-name';
import { basicAuth, loginCookie, startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { rawRequest as rawProxyRequest, wireRequest } from '../support/raw-request';

let stack: TestStack;
let cookie: string;
const alice = userDbName('alice');
const bob = userDbName('bob');
const SECRET = 'bob-secret-' + Date.now();

before(async () => {
  stack = await startTestStack();
  cookie = await loginCookie(stack.proxy.url, 'alice');
  await stack.admin.use(bob).insert(inspection('bob', { _id: 'inspection:00000000-0000-4000-8000-000000000001', title: SECRET }) as never);
});
after(() => stack?.stop());

const rawRequest = (method: string, path: string, headers: Record<string, string>, body?: string) =>
  rawProxyRequest(stack.proxy.url, method, path, headers, body);

const doc = JSON.stringify(inspection('alice'));
const attempts: [method: string, path: string, body?: string][] = [
  ['GET', `/db/${bob}`],
  ['HEAD', `/db/${bob}`],
  ['GET', `/db/${bob}/_all_docs?include_docs=true`],
  ['GET', `/db/${bob}/_changes?include_docs=true`],
  ['POST', `/db/${bob}/_bulk_docs`, JSON.stringify({ docs: [JSON.parse(doc)] })],
  ['PUT', `/db/${bob}/inspection%3Ax`, doc],
  ['GET', `/db/${bob}/inspection%3A00000000-0000-4000-8000-000000000001`],
  ['POST', `/db/${bob}/_find`, JSON.stringify({ selector: { type: 'inspection' } })],
  ['GET', `/db/${bob.toUpperCase()}`],
  ['GET', `/db/UserDB-626f62/_all_docs`],
  ['GET', `/db/${alice}/../${bob}/_all_docs`],
  ['GET', `/db/${alice}/%2e%2e/${bob}/_all_docs`],
  ['GET', `/db/${alice}%2F..%2F${bob}/_all_docs`],
  ['GET', `/db/${alice}%252F..%252F${bob}/_all_docs`],
  ['GET', `/db/${alice}/..%2F${bob}`],
  ['GET', `/db/%75serdb-626f62/_all_docs`],
  ['GET', `/db//${bob}/_all_docs`],
  ['GET', `/db/${alice}\\..\\${bob}`],
  ['GET', '/db/_all_dbs'],
  ['GET', '/db/_users/_all_docs?include_docs=true'],
  ['GET', '/db/_users/org.couchdb.user:bob'],
  ['GET', '/db/_replicator/_all_docs'],
  ['GET', '/db/fieldbook-sessions/_all_docs?include_docs=true'],
  ['GET', '/db/_config'],
  ['PUT', '/db/_config/admins/mallory', '"x"'],
  ['POST', '/db/_replicate', JSON.stringify({ source: bob, target: alice })],
  ['POST', '/db/_session', JSON.stringify({ name: 'bob', password: 'x' })],
  ['GET', '/db/_active_tasks'],
  ['PUT', `/db/${alice}/_security`, JSON.stringify({ members: { names: ['alice', 'bob'] } })],
  ['GET', `/db/${alice}/_security`],
  ['DELETE', `/db/${alice}`],
  ['PUT', `/db/${alice}/_design/evil`, JSON.stringify({ validate_doc_update: 'function(){}' })],
  ['PUT', `/db/${alice}/_design%2Fevil`, JSON.stringify({ validate_doc_update: 'function(){}' })],
  ['DELETE', `/db/${alice}/_design/fieldbook`],
  ['POST', `/db/${alice}/_purge`, '{}'],
  ['POST', `/db/${alice}/_compact`],
  ['GET', `/db/${alice}/_changes?filter=fieldbook/missing`],
  ['GET', '/_utils/'],
  ['GET', `/${bob}/_all_docs`],
  ['GET', '/_all_dbs'],
];

describe('alice cannot reach what is not hers', () => {
  for (const [method, path, body] of attempts) {
    for (const auth of ['cookie', 'basic'] as const) {
      test(`${method} ${path} (${auth})`, async () => {
        const headers: Record<string, string> = auth === 'cookie' ? { cookie } : { authorization: basicAuth('alice') };
        const response = await rawRequest(method, path, headers, body);
        assert.ok([400, 401, 403, 404].includes(response.status), `status ${response.status}: ${response.body}`);
        assert.ok(!response.body.includes(SECRET) && !response.body.includes('org.couchdb.user'), 'no data leaks');
        if (response.body) {
          const parsed = JSON.parse(response.body) as { error?: string; reason?: string };
          assert.ok(parsed.error && parsed.reason, 'a CouchDB-style error body');
        }
      });
    }
  }

  test('a database that exists and one that does not are refused alike', async () => {
    const existing = await rawRequest('GET', `/db/${bob}`, { cookie });
    const missing = await rawRequest('GET', `/db/${userDbName('nobody')}`, { cookie });
    assert.deepEqual(existing, missing);
  });

  test('without credentials everything under /db is 401', async () => {
    for (const path of [`/db/${alice}`, `/db/${bob}/_all_docs`, '/db/_all_dbs']) {
      assert.equal((await rawRequest('GET', path, {})).status, 401);
    }
    assert.equal((await rawRequest('GET', `/db/${alice}`, { authorization: basicAuth('alice', 'wrong') })).status, 401);
    assert.equal((await rawRequest('GET', `/db/${alice}`, { cookie: 'fieldbook_session=forged' })).status, 401);
  });

  test('her own replication checkpoints are hers, the server’s bookkeeping in her database is not', async () => {
    const put = (id: string) =>
      rawRequest('PUT', `/db/${alice}/_local/${id}`, { cookie, 'content-type': 'application/json' }, JSON.stringify({ done: true }));
    assert.equal((await put('a1b2c3')).status, 201);
    // Written by her, a finished migration made `npm run migrate` skip her database.
    const refused = await put('fieldbook-migration');
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.body).error, 'forbidden');
    assert.equal((await rawRequest('GET', `/db/${alice}/_local/fieldbook-migration`, { cookie })).status, 403);
  });

  test('the browser never receives a CouchDB cookie', async () => {
    const response = await fetch(`${stack.proxy.url}/db/${alice}/_all_docs`, { headers: { cookie } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('set-cookie'), null);
    const login = await fetch(`${stack.proxy.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', password: TEST_PASSWORD }),
    });
    const setCookie = login.headers.get('set-cookie')!;
    assert.match(setCookie, /^fieldbook_session=/);
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Strict/i);
    assert.doesNotMatch(setCookie, /AuthSession/);
  });
});

describe('requests that could mean one thing to the proxy and another to the database server', () => {
  test('a raw "#" in the path is 400: CouchDB cut the path there, so a document DELETE reached it as the database’s', async () => {
    for (const [method, path] of [
      ['DELETE', `/db/${alice}/#`],
      ['PUT', `/db/${alice}/#`],
      ['GET', `/db/${alice}/inspection#x`],
    ]) {
      const response = await rawRequest(method, path, { cookie }, method === 'PUT' ? doc : undefined);
      assert.equal(response.status, 400, `${method} ${path}: ${response.body}`);
      assert.equal((JSON.parse(response.body) as { error: string }).error, 'bad_request');
    }
    assert.equal((await rawRequest('GET', `/db/${alice}`, { cookie })).status, 200, 'the database is still there');
  });

  test('a query parameter named twice, or parameters split by ";", are 400: CouchDB reads the last value and splits on ";"', async () => {
    for (const query of [
      'filter=_doc_ids&filter=fieldbook/missing',
      'x=1;filter=fieldbook/missing',
      'feed=normal&feed=continuous&since=now',
      'x=1;feed=continuous&since=now',
    ]) {
      const response = await rawRequest('GET', `/db/${alice}/_changes?${query}`, { cookie });
      assert.equal(response.status, 400, `${query}: ${response.body}`);
      const answer = JSON.parse(response.body) as { error: string; reason: string };
      assert.equal(answer.error, 'bad_request');
      assert.match(answer.reason, /more than once|";"/);
    }
    // Encoded, ";" is part of a value, as PouchDB sends it.
    const changes = await rawRequest('GET', `/db/${alice}/_changes?since=0&limit=1&x=a%3Bb`, { cookie });
    assert.equal(changes.status, 200, changes.body);
  });

  test('forwarding headers from the client never reach the database server; a redirect goes nowhere but through the proxy', async () => {
    const forwardings: Record<string, string>[] = [
      { 'x-forwarded-host': '[' },
      { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      { forwarded: 'host=evil.example' },
    ];
    for (const forwarded of forwardings) {
      const written = inspection('alice');
      const response = await wireRequest(
        stack.proxy.url,
        'PUT',
        `/db/${alice}/${encodeURIComponent(written._id)}`,
        { cookie, 'content-type': 'application/json', ...forwarded },
        JSON.stringify(written),
      );
      assert.equal(response.status, 201, JSON.stringify(forwarded));
      // CouchDB answers a new document with its address, built from X-Forwarded-Host when there is one (PouchDB Server sends none).
      if (stack.couch.kind === 'couchdb') assert.equal(decodeURIComponent(response.headers.location!), `/db/${alice}/${written._id}`);
      else assert.ok(!String(response.headers.location ?? '').includes('evil'), String(response.headers.location));
    }
    // The proxy still answers (a Location it could not parse threw in its response handler and ended the process).
    assert.equal((await fetch(`${stack.proxy.url}/health/live`)).status, 200);
    assert.equal((await rawRequest('GET', `/db/${alice}`, { cookie })).status, 200);
  });
});
