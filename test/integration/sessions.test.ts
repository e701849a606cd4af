import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { basicAuthorization, splitCredentials } from '../../couch/couch-admin';
import { startEmbeddedCouch } from '../../couch/embedded-couch';
import { configPaths } from '../../couch/server-config';
import { userDbName } from '../../domain/user-db-name';
import { SESSIONS_DB, deleteExpiredSessions, deleteUserSessions } from '../../couch/user-sessions';
import { startProxy } from '../../proxy/server';
import { loginCookie, startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { freePort } from '../support/free-port';
import { waitFor } from '../support/fixtures';
import { assertBodyTimedOut, rawRequest, stalledPost } from '../support/raw-request';
import { DEFAULT_LIMITS } from '../../proxy/admission';
import { within } from '../support/fixtures';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(() => stack?.stop());

const login = (body: unknown) =>
  fetch(`${stack.proxy.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('sessions', () => {
  test('a login answers with the user, roles and database', async () => {
    const response = await login({ name: 'alice', password: TEST_PASSWORD });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true, name: 'alice', roles: ['inspector'], db: userDbName('alice') });
  });

  test('bad credentials are 401 and a malformed login 400, CouchDB style', async () => {
    const wrong = await login({ name: 'alice', password: 'nope' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(await wrong.json(), { error: 'unauthorized', reason: 'Name or password is incorrect.' });
    const malformed = await login({ name: 'alice' });
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { error: string }).error, 'bad_request');
    // Bodies express.json cannot read are the client's mistake too, never a 500.
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(`${stack.proxy.url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    for (const [response, status] of [
      [await post('{"name":'), 400],
      [await post(JSON.stringify({ name: 'a'.repeat(20_000), password: 'x' })), 413],
      [await post('{}', { 'content-encoding': 'br' }), 400],
      [await post('{}', { 'content-encoding': 'x-unknown' }), 415],
    ] as const) {
      assert.equal(response.status, status);
      const answer = (await response.json()) as { error: string; reason: string };
      assert.notEqual(answer.error, 'internal_server_error');
      assert.ok(answer.reason.length > 0);
    }
  });

  test('a name or password with a lone surrogate is 400, not the database server failing (CouchDB 3.4 answered 400, passed on as 502)', async () => {
    // JSON.stringify writes a lone surrogate as "\ud800", which CouchDB's JSON parser refuses.
    for (const body of [
      { name: 'alice\ud800', password: TEST_PASSWORD },
      { name: 'alice', password: `${TEST_PASSWORD}\udc00` },
    ]) {
      const response = await login(body);
      assert.equal(response.status, 400);
      assert.equal(((await response.json()) as { error: string }).error, 'bad_request');
    }
  });

  test('a login whose body stops arriving is answered 408 and its connection closed, as /db does (it was held for good)', async () => {
    const impatient = await stack.anotherProxy({ limits: { ...DEFAULT_LIMITS, bodySilenceMs: 1_000 } });
    const stalled = await stalledPost(impatient.url, '/api/session', {}, 1000, '{"name"');
    try {
      const received = await within(stalled.closed, 60_000, 'the proxy to answer and close the connection');
      assertBodyTimedOut(received);
    } finally {
      stalled.close();
      await impatient.close();
    }
  });

  test('GET /api/session tells who is logged in, or 401', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'bob');
    const response = await fetch(`${stack.proxy.url}/api/session`, { headers: { cookie } });
    assert.equal(((await response.json()) as { name: string }).name, 'bob');
    assert.equal((await fetch(`${stack.proxy.url}/api/session`)).status, 401);
  });

  test('a session outlives a proxy restart', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    await stack.restartProxy();
    const response = await rawRequest(stack.proxy.url, 'GET', `/db/${userDbName('alice')}`, { cookie });
    assert.equal(response.status, 200);
  });

  test('a session outlives a restart of the database server, and then of the proxy', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    await stack.restartCouch();
    // The stored CouchDB cookie is still signed with the server's kept secret.
    assert.equal((await rawRequest(stack.proxy.url, 'GET', `/db/${userDbName('alice')}`, { cookie })).status, 200);
    await stack.restartProxy();
    assert.equal((await rawRequest(stack.proxy.url, 'GET', `/db/${userDbName('alice')}`, { cookie })).status, 200);
  });

  test('CouchDB keeps logins for the configured lifetime, not its 10-minute default', async () => {
    const [path] = await configPaths(stack.admin, 'chttpd_auth', 'timeout');
    const timeout = await stack.admin.request({ path });
    assert.equal(timeout, String(30 * 24 * 3600));
  });

  test("two at once ending a user's sessions (the user CLI and the proxy both do) both succeed and end them all", async () => {
    const sessions = stack.admin.use(SESSIONS_DB);
    // The race is PouchDB Server's and hits about every other round.
    for (let round = 0; round < 10; round++) {
      const ids = Array.from({ length: 20 }, (_, i) => `race-${round}-${i}`);
      await sessions.bulk({ docs: ids.map((_id) => ({ _id, name: 'carol' })) });
      const [first, second] = await Promise.all([deleteUserSessions(stack.admin, 'carol'), deleteUserSessions(stack.admin, 'carol')]);
      assert.deepEqual([...new Set([...first, ...second])].sort(), [...ids].sort(), `round ${round}`);
      assert.equal((await sessions.find({ selector: { name: 'carol' } })).docs.length, 0);
    }
  });

  test('sessions expired before now are deleted, also those never used again; live ones stay', async () => {
    const sessions = stack.admin.use(SESSIONS_DB);
    const now = Date.now();
    const expired = Array.from({ length: 1200 }, (_, i) => ({ _id: `expired-${i}`, name: 'dave', expiresAt: now - 1 - i }));
    // The last without an expiry at all, which PouchDB Server 4.2's index sorts before every time.
    const kept = [
      { _id: 'live-0', name: 'dave', expiresAt: now + 60_000 },
      { _id: 'no-expiry', name: 'dave' },
    ];
    await sessions.bulk({ docs: [...expired, ...kept] });
    const deleted = await deleteExpiredSessions(stack.admin, now);
    const expiredIds = expired.map((doc) => doc._id);
    // The proxy's own sweep (at its start) may have deleted some of them meanwhile.
    assert.ok(deleted.length > 0 && deleted.every((id) => expiredIds.includes(id)), `deleted ${deleted.length}`);
    const left = await sessions.fetch({ keys: [...expired, ...kept].map((doc) => doc._id) });
    assert.deepEqual(
      left.rows.filter((row) => 'doc' in row && row.doc).map((row) => row.key),
      ['live-0', 'no-expiry'],
    );
    await deleteUserSessions(stack.admin, 'dave');
  });

  test('an expired session is deleted by the proxy without its cookie coming back', async () => {
    const response = await login({ name: 'alice', password: TEST_PASSWORD });
    assert.equal(response.status, 200);
    const sessions = stack.admin.use<{ expiresAt: number }>(SESSIONS_DB);
    const found = await sessions.find({ selector: { name: 'alice' } });
    const key = found.docs.map((doc) => doc._id).sort()[0]!;
    // Expired as if its cookie had last been used a session lifetime ago, then a proxy started (it sweeps at start).
    const doc = await sessions.get(key);
    await sessions.insert({ ...doc, expiresAt: Date.now() - 1 });
    const proxy = await stack.anotherProxy();
    try {
      await waitFor(
        async () => !(await sessions.fetch({ keys: [key] })).rows.some((row) => 'doc' in row && row.doc),
        30_000,
        'the expired session deleted',
      );
    } finally {
      await proxy.close();
    }
  });

  test('logout revokes the session and ends its open feeds', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    const feed = await fetch(`${stack.proxy.url}/db/${userDbName('alice')}/_changes?feed=continuous&heartbeat=500&since=now`, {
      headers: { cookie },
    });
    assert.equal(feed.status, 200);
    const reader = feed.body!.getReader();
    let ended = false;
    const drained = (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        // a cut connection ends the feed too
      }
      ended = true;
    })();
    const logout = await fetch(`${stack.proxy.url}/api/session`, { method: 'DELETE', headers: { cookie } });
    assert.equal(logout.status, 200);
    await waitFor(async () => ended, 60_000, 'the continuous feed to end');
    await drained;
    assert.equal((await fetch(`${stack.proxy.url}/db/${userDbName('alice')}`, { headers: { cookie } })).status, 401);
  });
});

describe('health and the embedded server', () => {
  test('/health is 200 while CouchDB answers and 503 when it does not', async () => {
    assert.equal((await fetch(`${stack.proxy.url}/health`)).status, 200);
    const orphan = await startProxy({
      couchAdminUrl: `http://admin:x@127.0.0.1:${await freePort()}`,
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    try {
      const response = await fetch(`${orphan.url}/health`);
      assert.equal(response.status, 503);
      assert.equal(((await response.json()) as { error: string }).error, 'service_unavailable');
    } finally {
      await orphan.close();
    }
  });

  test('a login or a Basic check while the database server is down is 503 in its words, not the proxy failing', async () => {
    const orphan = await startProxy({
      couchAdminUrl: `http://admin:x@127.0.0.1:${await freePort()}`,
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    try {
      const unreachable = { error: 'service_unavailable', reason: 'The database server is not reachable.' };
      const loggingIn = await fetch(`${orphan.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'alice', password: TEST_PASSWORD }),
      });
      assert.equal(loggingIn.status, 503);
      assert.deepEqual(await loggingIn.json(), unreachable);
      const basic = await fetch(`${orphan.url}/api/session`, { headers: { authorization: basicAuthorization('alice', TEST_PASSWORD) } });
      assert.equal(basic.status, 503);
      assert.deepEqual(await basic.json(), unreachable);
    } finally {
      await orphan.close();
    }
  });

  test('a request that kills PouchDB Server is survived: the supervisor restarts it', async () => {
    // The supervisor is npm start's embedded server, whichever server this suite runs on.
    const dataDir = mkdtempSync(join(tmpdir(), 'fieldbook-embedded-'));
    const embedded = await startEmbeddedCouch({ dataDir, port: await freePort(), log: () => undefined });
    try {
      const { name, password } = splitCredentials(embedded.adminUrl);
      const auth = basicAuthorization(name, password);
      const db = `${embedded.url}/crash-test`;
      assert.equal((await fetch(db, { method: 'PUT', headers: { authorization: auth } })).status, 201);
      // A multipart document whose attachment part has no filename throws inside PouchDB Server 4.2.
      const boundary = 'xyz';
      const body = `--${boundary}\r\nContent-Type: application/json\r\n\r\n{"_id":"crash","_attachments":{"a":{"follows":true,"content_type":"image/png","length":1}}}\r\n--${boundary}\r\n\r\nx\r\n--${boundary}--`;
      await fetch(`${db}/crash`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': `multipart/related;boundary="${boundary}"` },
        body,
      }).catch(() => undefined);
      await waitFor(async () => embedded.restarts() === 1, 60_000, 'the supervisor to restart the server');
      await embedded.ready();
      const info = await fetch(db, { headers: { authorization: auth } });
      assert.equal(info.status, 200);
    } finally {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
