import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HUB_DB } from '../../domain/db-names';
import { newPhotoDoc } from '../../domain/photo-doc';
import { MIGRATION_PROGRESS_ID } from '../../domain/schema-versions';
import { userDbName } from '../../domain/user-db-name';
import { PUSH_OPTIONS } from '../../src/app/core/replication-options';
import { basicAuth, loginCookie, startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { defect, inspection, jpegBytes } from '../fixtures/documents';
import { localDb, remoteDb } from '../support/node-pouch';
import { rawRequest as rawProxyRequest, wireRequest } from '../support/raw-request';

let stack: TestStack;
let cookie: string;
let samCookie: string;
const alice = userDbName('alice');
const bob = userDbName('bob');
const SECRET = 'bob-secret-' + Date.now();

before(async () => {
  stack = await startTestStack({ alice: 'inspector', bob: 'inspector', sam: 'supervisor' });
  cookie = await loginCookie(stack.proxy.url, 'alice');
  samCookie = await loginCookie(stack.proxy.url, 'sam');
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
    // CouchDB's replicator's and PouchDB's.
    assert.equal((await put('a1b2c3d4e5f60718293a4b5c6d7e8f90+continuous')).status, 201);
    assert.equal((await put('UYRYhmBYbWngtEX.m04QdQ==')).status, 201);
    // PouchDB Server deletes the databases this one lists with it, or on a view cleanup.
    for (const id of ['_pouch_dependentDbs', 'mrviews', 'any-name']) assert.equal((await put(id)).status, 403, id);
    // Written by her, a finished migration made `npm run migrate` skip her database.
    const refused = await put('fieldbook-migration');
    assert.equal(refused.status, 403);
    assert.equal(JSON.parse(refused.body).error, 'forbidden');
    assert.equal((await rawRequest('GET', `/db/${alice}/_local/fieldbook-migration`, { cookie })).status, 403);
  });

  test('a checkpoint over 1 MB is 413: read-only callers write checkpoints too, and they were held to the 16 MB of a document', async () => {
    const path = `/db/${alice}/_local/0f1e2d3c4b5a69788796a5b4c3d2e1f0`;
    const history = (bytes: number) => JSON.stringify({ history: [{ session_id: 'x'.repeat(bytes) }] });
    const tooLarge = await rawRequest('PUT', path, { cookie, 'content-type': 'application/json' }, history(2 * 1024 * 1024));
    assert.equal(tooLarge.status, 413, tooLarge.body);
    assert.equal(JSON.parse(tooLarge.body).error, 'too_large');
    assert.equal((await rawRequest('GET', path, { cookie })).status, 404);
    // A replicator's largest real one (50 history entries of a cluster's long sequences) passes.
    assert.equal((await rawRequest('PUT', path, { cookie, 'content-type': 'application/json' }, history(200 * 1024))).status, 201);
  });

  test('her database’s access, which PouchDB Server keeps as `_local/_security` in it, is not hers to change', async () => {
    const security = () => stack.admin.request({ path: `${alice}/_security` });
    const before = await security();
    // Its current revision, which a write needs there (CouchDB keeps the security object elsewhere).
    const stored = await stack.admin
      .use(alice)
      .get('_local/_security')
      .catch(() => ({}));
    const widened = JSON.stringify({ ...stored, admins: { names: ['alice'], roles: [] }, members: { names: ['alice', 'bob'], roles: [] } });
    for (const [method, body] of [['PUT', widened], ['DELETE'], ['GET']] as const) {
      const response = await rawRequest(method, `/db/${alice}/_local/_security`, { cookie, 'content-type': 'application/json' }, body);
      assert.equal(response.status, 403, `${method}: ${response.body}`);
      assert.equal((JSON.parse(response.body) as { error: string }).error, 'forbidden');
    }
    assert.deepEqual(await security(), before);
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

describe('the server’s own `_local` documents, named in a body or a query', () => {
  const progress = { _id: MIGRATION_PROGRESS_ID, target: 1, lastId: 'progress-' + Date.now(), done: false };
  const json = { 'content-type': 'application/json' };
  const missing = (db: string, id: string) =>
    stack.admin
      .use(db)
      .get(id)
      .then(
        () => false,
        () => true,
      );

  before(() => stack.admin.use(alice).insert(progress as never));

  test('cannot be written: a supervisor’s `_bulk_docs` stalled the hub work for good, a `POST /db` or a PUT’s body `_id` wrote one', async () => {
    const hubWork = JSON.stringify({ docs: [{ _id: '_local/fieldbook-hub-work', seq: 'garbage' }] });
    const writes: [cookie: string, method: string, path: string, body: string, status: number][] = [
      [samCookie, 'POST', `/db/${HUB_DB}/_bulk_docs`, hubWork, 403],
      [samCookie, 'POST', `/db/${HUB_DB}/_bulk_docs`, JSON.stringify({ docs: [{ ...progress, done: true }], new_edits: false }), 403],
      [cookie, 'POST', `/db/${alice}`, JSON.stringify({ _id: '_local/fieldbook-x' }), 403],
      // PouchDB Server writes the body's `_id`, CouchDB the path's.
      [cookie, 'PUT', `/db/${alice}/inspection%3Ax`, JSON.stringify({ _id: '_local/fieldbook-x' }), 400],
      [cookie, 'PUT', `/db/${alice}/_local/a1b2c3d4e5f60718293a4b5c6d7e8f90`, JSON.stringify({ ...progress, done: true }), 400],
      // PouchDB Server writes the query's `id` when the body has none.
      [
        cookie,
        'PUT',
        `/db/${alice}/_local/a1b2c3d4e5f60718293a4b5c6d7e8f90?id=${encodeURIComponent(MIGRATION_PROGRESS_ID)}`,
        JSON.stringify({ _rev: '0-1', done: true }),
        400,
      ],
      [samCookie, 'PUT', `/db/${HUB_DB}/inspection%3Ay?id=_local%2Ffieldbook-hub-work`, JSON.stringify({ seq: 'garbage' }), 400],
    ];
    for (const [who, method, path, body, status] of writes) {
      const response = await rawRequest(method, path, { cookie: who, ...json }, body);
      assert.equal(response.status, status, `${method} ${path} ${body}: ${response.body}`);
    }
    const hub = await stack.admin
      .use(HUB_DB)
      .get('_local/fieldbook-hub-work')
      .catch(() => null);
    assert.notEqual((hub as { seq?: unknown } | null)?.seq, 'garbage');
    assert.deepEqual(await stack.admin.use(alice).get(MIGRATION_PROGRESS_ID), { ...progress, _rev: '0-1' });
    assert.equal(await missing(alice, '_local/fieldbook-x'), true);
  });

  test('cannot be read: PouchDB Server’s `_bulk_get` and CouchDB’s `_all_docs` with `keys` returned them', async () => {
    for (const [method, path, body] of [
      ['POST', `/db/${alice}/_bulk_get`, JSON.stringify({ docs: [{ id: MIGRATION_PROGRESS_ID }] })],
      ['POST', `/db/${alice}/_all_docs?include_docs=true`, JSON.stringify({ keys: [MIGRATION_PROGRESS_ID] })],
      ['GET', `/db/${alice}/_all_docs?include_docs=true&keys=${encodeURIComponent(JSON.stringify([MIGRATION_PROGRESS_ID]))}`],
    ]) {
      const response = await rawRequest(method, path, { cookie, ...json }, body);
      assert.equal(response.status, 403, `${method} ${path}: ${response.body}`);
      assert.ok(!response.body.includes(progress.lastId), response.body);
    }
  });

  test('cannot be read by a `_bulk_get` naming them in its query: PouchDB Server takes its documents from there first', async () => {
    const named = encodeURIComponent(JSON.stringify([{ id: MIGRATION_PROGRESS_ID }]));
    const response = await rawRequest(
      'POST',
      `/db/${alice}/_bulk_get?docs=${named}`,
      { cookie, ...json },
      JSON.stringify({ docs: [{ id: 'x' }] }),
    );
    assert.equal(response.status, 400, response.body);
    assert.ok(!response.body.includes(progress.lastId), response.body);
  });

  test('a tablet’s push, its photos inline, is not held to the size of a checked body (16 MB)', async () => {
    const found = defect('alice', inspection('alice')._id);
    const photos = Array.from({ length: 12 }, (_, i) =>
      newPhotoDoc({ defectId: found._id, createdBy: 'alice', createdAt: new Date().toISOString(), deviceId: 'tablet' }, `${i}.jpg`, {
        content_type: 'image/jpeg',
        data: Buffer.from(jpegBytes(1_500_000)).toString('base64'),
      }),
    );
    const tablet = localDb('tablet');
    try {
      await tablet.bulkDocs(photos as PouchDB.Core.PutDocument<object>[]);
      const result = await tablet.replicate.to(remoteDb(`${stack.proxy.url}/db/${alice}`, { cookie }), PUSH_OPTIONS);
      assert.equal(result.docs_written, photos.length);
    } finally {
      await tablet.destroy();
    }
  });
});

describe('what a database server fails on (a 500, a crash) is a 400 from the proxy', () => {
  test('query parameters of a type the servers cannot read', async () => {
    for (const query of [
      'limit=abc',
      // PouchDB Server crashed.
      'limit=1.5',
      'feed=longpoll&timeout=abc',
      // CouchDB dropped the connection.
      'feed=longpoll&timeout=-1',
      'style=abc',
      'feed=longpoll&heartbeat=abc',
      'filter=_view&view=fieldbook',
      'filter=_view&view=a/b/c',
      'filter=_doc_ids&doc_ids={}',
    ]) {
      const response = await rawRequest('GET', `/db/${alice}/_changes?${query}`, { cookie });
      assert.equal(response.status, 400, `${query}: ${response.body}`);
      assert.equal((JSON.parse(response.body) as { error: string }).error, 'bad_request');
    }
    const openRevs = await rawRequest('GET', `/db/${alice}/_design/fieldbook?open_revs=garbage`, { cookie });
    assert.equal(openRevs.status, 400, openRevs.body);
    // Well-typed, they still work.
    for (const path of [
      `/db/${alice}/_changes?limit=1&style=all_docs&timeout=10&heartbeat=10000`,
      `/db/${alice}/_changes?filter=_view&view=fieldbook/conflicts`,
      `/db/${alice}/_changes?filter=_doc_ids&doc_ids=${encodeURIComponent('["a"]')}`,
      `/db/${alice}/_design/fieldbook?open_revs=all`,
    ]) {
      assert.equal((await rawRequest('GET', path, { cookie })).status, 200, path);
    }
  });

  test('a revision the document does not have, asked for with `latest=true`, is missing as on CouchDB (it ended PouchDB Server’s process)', async () => {
    const path = `/db/${alice}/_design/fieldbook`;
    const unknown = '1-0123456789abcdef0123456789abcdef';
    const openRevs = await rawRequest('GET', `${path}?open_revs=${encodeURIComponent(JSON.stringify([unknown]))}&latest=true`, {
      cookie,
      accept: 'application/json',
    });
    assert.equal(openRevs.status, 200, openRevs.body);
    assert.deepEqual(JSON.parse(openRevs.body), [{ missing: unknown }]);
    const bulkGet = await rawRequest(
      'POST',
      `/db/${alice}/_bulk_get?revs=true&latest=true`,
      { cookie, 'content-type': 'application/json' },
      JSON.stringify({
        docs: [{ id: '_design/fieldbook', rev: unknown }],
      }),
    );
    assert.equal(bulkGet.status, 200, bulkGet.body);
    const [result] = (JSON.parse(bulkGet.body) as { results: { docs: object[] }[] }).results;
    assert.ok(
      result!.docs.every((answer) => 'missing' in answer || 'error' in answer),
      bulkGet.body,
    );
    // The server is still there.
    assert.equal((await rawRequest('GET', `${path}?open_revs=all`, { cookie })).status, 200);
  });

  test('documents that are not objects, ids that are not strings, a `new_edits` that is not true or false', async () => {
    const writes: [cookie: string, method: string, path: string, body: string][] = [
      [cookie, 'POST', `/db/${alice}`, JSON.stringify({ type: 'inspection', _id: 5 })],
      [cookie, 'PUT', `/db/${alice}/inspection%3Ax`, JSON.stringify({ type: 'inspection', _id: 5 })],
      [cookie, 'PUT', `/db/${alice}/_local/a1b2c3d4e5f60718293a4b5c6d7e8f90`, JSON.stringify({ _id: 5 })],
      [samCookie, 'POST', `/db/${HUB_DB}/_bulk_docs`, JSON.stringify({ docs: 5 })],
      [samCookie, 'POST', `/db/${HUB_DB}/_bulk_docs`, JSON.stringify({ docs: [5, null, 'x'] })],
      [samCookie, 'POST', `/db/${HUB_DB}/_bulk_docs`, JSON.stringify({ docs: [{ _id: 5 }] })],
      [samCookie, 'POST', `/db/${HUB_DB}/_bulk_docs`, JSON.stringify({ docs: [inspection('sam')], new_edits: 'abc' })],
    ];
    for (const [who, method, path, body] of writes) {
      const response = await rawRequest(method, path, { cookie: who, 'content-type': 'application/json' }, body);
      assert.equal(response.status, 400, `${method} ${path} ${body}: ${response.body}`);
      assert.equal((JSON.parse(response.body) as { error: string }).error, 'bad_request');
    }
  });
});
