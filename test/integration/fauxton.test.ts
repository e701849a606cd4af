import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { splitCredentials } from '../../couch/couch-admin';
import { SESSION_COOKIE } from '../../proxy/authenticate';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { rawRequest } from '../support/raw-request';

let stack: TestStack;
let ada: string;
let alice: string;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', ada: 'admin' });
  ada = await loginCookie(stack.proxy.url, 'ada');
  alice = await loginCookie(stack.proxy.url, 'alice');
});
after(() => stack?.stop());

/** A call as Fauxton's page makes it: an XHR whose Referer is the Fauxton page. */
const fromFauxton = (path: string, cookie: string, init: RequestInit = {}) =>
  fetch(`${stack.proxy.url}${path}`, {
    ...init,
    headers: { cookie, referer: `${stack.proxy.url}/_utils/`, accept: 'application/json', 'sec-fetch-mode': 'cors', ...init.headers },
  });

describe('Fauxton through the proxy', () => {
  test('an admin gets Fauxton at /_utils, with its own security headers', async () => {
    const page = await fetch(`${stack.proxy.url}/_utils/`, { headers: { cookie: ada, accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /Fauxton/);
    assert.equal(page.headers.get('referrer-policy'), 'same-origin');
    assert.match(page.headers.get('content-security-policy') ?? '', /font-src 'self' data:/);
    const redirect = await fetch(`${stack.proxy.url}/_utils`, { headers: { cookie: ada }, redirect: 'manual' });
    assert.equal(redirect.status, 301);
    assert.equal(redirect.headers.get('location'), '/_utils/');
  });

  test('Fauxton’s calls list the databases, as the admin', async () => {
    const dbs = await fromFauxton('/_all_dbs', ada);
    assert.equal(dbs.status, 200);
    const names = (await dbs.json()) as string[];
    for (const name of ['inspections', '_users', '_replicator']) assert.ok(names.includes(name), name);
    const session = (await (await fromFauxton('/_session', ada)).json()) as { userCtx: { name: string; roles: string[] } };
    assert.equal(session.userCtx.name, 'ada');
    assert.ok(session.userCtx.roles.includes('_admin'));
  });

  test('alice gets 403 at /_utils, and strangers 401', async () => {
    const refused = await fetch(`${stack.proxy.url}/_utils/`, { headers: { cookie: alice, accept: 'text/html' } });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: string }).error, 'forbidden');
    assert.equal((await fetch(`${stack.proxy.url}/_utils/dashboard.assets/`, { headers: { cookie: alice } })).status, 403);
    assert.equal((await fetch(`${stack.proxy.url}/_utils/`)).status, 401);
  });

  test('only an admin’s calls from a Fauxton page reach CouchDB, others are told why; everything else keeps the app’s routes', async () => {
    // As the page itself: a session that ended is a 401 (Fauxton said "missing" to each call), anyone else a 403.
    const asAlice = await fromFauxton('/_all_dbs', alice);
    assert.equal(asAlice.status, 403);
    assert.equal(((await asAlice.json()) as { error: string }).error, 'forbidden');
    const ended = await fromFauxton('/_all_dbs', `${SESSION_COOKIE}=ended`);
    assert.equal(ended.status, 401);
    assert.equal(((await ended.json()) as { error: string }).error, 'unauthorized');
    assert.equal(
      (await fetch(`${stack.proxy.url}/_all_dbs`, { headers: { cookie: ada, accept: 'application/json' } })).status,
      404,
      'no Referer',
    );
    const elsewhere = await fetch(`${stack.proxy.url}/_all_dbs`, { headers: { cookie: ada, referer: `${stack.proxy.url}/inspections` } });
    assert.equal(elsewhere.status, 404, 'a Referer outside Fauxton');
    // fetch() sets Sec-Fetch-Mode itself, as browsers do; a raw request says what a link click would.
    const navigation = await rawRequest(stack.proxy.url, 'GET', '/api/session', {
      cookie: ada,
      referer: `${stack.proxy.url}/_utils/`,
      'sec-fetch-mode': 'navigate',
    });
    assert.equal(navigation.status, 200, 'a page navigation from Fauxton goes to the app');
  });

  test('Fauxton’s own login and logout are refused: the Fieldbook session is the login', async () => {
    const login = await fromFauxton('/_session', ada, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=alice&password=x',
    });
    assert.equal(login.status, 403);
    assert.equal(((await login.json()) as { error: string }).error, 'forbidden');
  });

  test('the replication documents, which hold the server admin’s password, are not shown: the jobs’ states are', async () => {
    const { password } = splitCredentials(stack.couch.adminUrl);
    for (const path of [
      '/_replicator/_all_docs?include_docs=true',
      '/%5Freplicator/_all_docs?include_docs=true',
      '/%5freplicator/_changes?include_docs=true',
      '//_replicator/_all_docs?include_docs=true',
      // PouchDB Server cleans a database name as a file name: these are `_replicator` there.
      '/_replicator%2F/_all_docs?include_docs=true',
      '/_replicator./_all_docs?include_docs=true',
      '/_repli%3Fcator/_all_docs?include_docs=true',
      '/_replicator/_find',
      '/_replicator',
    ]) {
      const answer = await fromFauxton(path, ada, path.endsWith('_find') ? { method: 'POST', body: '{"selector":{}}' } : {});
      const text = await answer.text();
      assert.equal(answer.status, 403, `${path}: ${text}`);
      assert.equal((JSON.parse(text) as { error: string }).error, 'forbidden', path);
      assert.ok(!text.includes(password), path);
    }
    // Nor copied out by a one-off replication into a database of one's own.
    const copy = await fromFauxton('/_replicate', ada, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: '_replicator', target: 'replicator-copy', create_target: true }),
    });
    assert.equal(copy.status, 403, await copy.text());
    assert.equal((await stack.admin.db.list()).includes('replicator-copy'), false);
    if (stack.couch.kind === 'couchdb') {
      const jobs = await fromFauxton('/_scheduler/docs', ada);
      const text = await jobs.text();
      assert.equal(jobs.status, 200, text);
      assert.match(text, /"docs"/);
      assert.ok(!text.includes(password));
    }
  });
  test('the server’s credentials stay out of reach: its shards, the configuration’s credential sections and writes, the cluster’s setup', async () => {
    const { password } = splitCredentials(stack.couch.adminUrl);
    const refused = async (path: string, init: RequestInit = {}) => {
      const answer = await fromFauxton(path, ada, init);
      const text = await answer.text();
      assert.equal(answer.status, 403, `${init.method ?? 'GET'} ${path}: ${text}`);
      assert.ok(!text.includes(password), path);
    };
    const put = (value: string): RequestInit => ({
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(value),
    });
    const couch = stack.couch.kind === 'couchdb';
    const config = couch ? '/_node/_local/_config' : '/_config';
    for (const section of ['', '/', '/admins', '/admins/admin', '/chttpd_auth/secret', '/couch_httpd_auth', '/jwt_keys', '/ADMINS']) {
      await refused(`${config}${section}`);
    }
    await refused(`${config}/admins/ada-forever`, put('a password that outlives a demotion'));
    await refused(`${config}/log/level`, put('debug'));
    await refused('/_cluster_setup', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"action":"add_node"}' });
    if (couch) {
      // The node-local interface opens shards as databases: `_replicator`'s held the password.
      const shards = (await stack.admin.request({ path: '_node/_local/_all_dbs' })) as string[];
      const replicator = shards.find((name) => name.includes('/_replicator.'));
      assert.ok(replicator, shards.join());
      for (const path of [
        `/_node/_local/${encodeURIComponent(replicator)}/_all_docs?include_docs=true`,
        `/_node/couchdb@127.0.0.1/${encodeURIComponent(replicator)}/_all_docs?include_docs=true`,
        '/_node/_local/_all_dbs',
        '/_node/_local/_dbs/_all_docs',
        '/_NODE/_local/_nodes',
        '/_node/_local/_restart',
      ]) {
        await refused(path);
      }
      // What Fauxton shows of a node stays.
      for (const path of [
        '/_node/_local',
        '/_node/_local/_stats',
        '/_node/_local/_versions',
        '/_node/_local/_config/couchdb',
        '/_membership',
      ]) {
        const answer = await fromFauxton(path, ada);
        assert.equal(answer.status, 200, `${path}: ${await answer.text()}`);
      }
    }
  });
});
