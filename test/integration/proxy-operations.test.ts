import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { bootstrap } from '../../couch/bootstrap';
import { userDbName } from '../../domain/user-db-name';
import { removeServerAdmin } from '../../couch/server-admins';
import { setServerAdmin } from '../support/server-admin';
import { SESSIONS_DB } from '../../couch/user-sessions';
import { startProxy } from '../../proxy/server';
import { basicAuth, loginCookie, postLogin, startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { waitFor, within } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { scrapedValue } from '../support/metric-value';
import { openFeed } from '../support/open-feed';
import { fetchFrom, socketClosed } from '../support/raw-request';

/** What an operator relies on: logins throttled, metrics, health that means it, a clean shutdown. */
let stack: TestStack;
before(async () => {
  stack = await startTestStack({
    alice: 'inspector',
    bob: 'inspector',
    carol: 'inspector',
    dora: 'inspector',
    eve: 'inspector',
    flo: 'inspector',
    gil: 'inspector',
    hana: 'inspector',
    ivan: 'inspector',
    jo: 'inspector',
    ada: 'admin',
  });
});
// Proxy processes a test started, killed with this file however its tests end.
const children = new Set<ChildProcess>();
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack?.stop();
});

const login = (name: string, password: string) => postLogin(stack.proxy.url, name, password);
/** A login from another loopback address: a client elsewhere, as the proxy (and CouchDB) see it. */
const loginFrom = (from: string, name: string, password: string, proxyUrl = stack.proxy.url) => postLogin(proxyUrl, name, password, from);

describe('login throttling', () => {
  test('wrong passwords for one name are answered 429 with Retry-After after 5, even with the right one; other names still log in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await login('alice', `wrong-${i}`)).status);
    assert.deepEqual(statuses, [...Array(5).fill(401), 429, 429]);
    const right = await login('alice', TEST_PASSWORD);
    assert.equal(right.status, 429);
    const retryAfter = Number(right.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After ${retryAfter}`);
    const answer = (await right.json()) as { error: string; reason: string };
    assert.equal(answer.error, 'too_many_requests');
    assert.match(answer.reason, new RegExp(`try again in ${retryAfter} seconds`));
    // Someone else on the same address is not locked out by alice's guesser.
    assert.equal((await login('bob', TEST_PASSWORD)).status, 200);
  });

  test('failed Basic auth counts too, and throttled Basic is 429 on /db', async () => {
    const db = `${stack.proxy.url}/db/${userDbName('carol')}`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(db, { headers: { authorization: basicAuth('carol', `wrong-${i}`) } })).status);
    assert.deepEqual(statuses, [...Array(5).fill(401), 429]);
    const right = await fetch(db, { headers: { authorization: basicAuth('carol') } });
    assert.equal(right.status, 429);
    assert.ok(Number(right.headers.get('retry-after')) > 0);
    assert.equal(((await right.json()) as { error: string }).error, 'too_many_requests');
    // The same name through /api/session waits as well.
    assert.equal((await login('carol', TEST_PASSWORD)).status, 429);
  });

  test('wrong Basic passwords sent all at once reach CouchDB no more often than failures may; a replicator’s connections opened together are let in', async () => {
    const db = `${stack.proxy.url}/db/${userDbName('jo')}`;
    const basicFrom = (from: string, password?: string) => fetchFrom(from, db, { headers: { authorization: basicAuth('jo', password) } });
    // Twenty connections at once with the right credentials (a replicator starting): one check.
    const right = await Promise.all(Array.from({ length: 20 }, () => basicFrom('127.0.0.61')));
    assert.deepEqual(new Set(right.map(({ status }) => status)), new Set([200]));
    const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => basicFrom('127.0.0.62', `wrong-${i}`)));
    const statuses = guesses.map(({ status }) => status);
    // A 401 is a password CouchDB checked; a 429, one it never saw.
    assert.equal(statuses.filter((status) => status === 401).length, 5, statuses.join());
    assert.equal(statuses.filter((status) => status === 429).length, 25, statuses.join());
    assert.equal((await basicFrom('127.0.0.62', 'wrong-again')).status, 429);
  });

  // Each test guesses from addresses of its own: CouchDB's lockout counts per name and address too.
  test("a stranger's wrong passwords lock only the stranger's address out of the name: the user still logs in from theirs", async () => {
    const [stranger, dora] = ['127.0.0.2', '127.0.0.3'];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await loginFrom(stranger, 'dora', `wrong-${i}`)).status);
    assert.deepEqual(statuses, [...Array(5).fill(401), 429]);
    assert.equal((await loginFrom(stranger, 'dora', TEST_PASSWORD)).status, 429);
    assert.equal((await loginFrom(dora, 'dora', TEST_PASSWORD)).status, 200);
    const db = `${stack.proxy.url}/db/${userDbName('dora')}`;
    assert.equal((await fetchFrom(dora, db, { headers: { authorization: basicAuth('dora') } })).status, 200);
  });

  test("a stranger's wrong Basic credentials lock only the stranger's address out of the name", async () => {
    const [stranger, eve] = ['127.0.0.4', '127.0.0.5'];
    const db = `${stack.proxy.url}/db/${userDbName('eve')}`;
    const basicFrom = (from: string, password?: string) => fetchFrom(from, db, { headers: { authorization: basicAuth('eve', password) } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await basicFrom(stranger, `wrong-${i}`)).status);
    assert.deepEqual(statuses, [...Array(5).fill(401), 429]);
    assert.equal((await basicFrom(stranger)).status, 429);
    assert.equal((await basicFrom(eve)).status, 200);
    assert.equal((await loginFrom(eve, 'eve', TEST_PASSWORD)).status, 200);
  });

  test('wrong passwords for one name from many addresses stop it everywhere, at a cap no one address reaches', async () => {
    const proxy = await startProxy({
      couchAdminUrl: stack.couch.adminUrl,
      port: 0,
      logger: pino({ level: 'silent' }),
      throttle: { perNameAndAddress: 2, perName: 4, perAddress: 100, windowS: 60, blockS: 60 },
    });
    try {
      const guess = async (from: string, count: number) => {
        const statuses: number[] = [];
        for (let i = 0; i < count; i++) statuses.push((await loginFrom(from, 'flo', `wrong-${i}`, proxy.url)).status);
        return statuses;
      };
      assert.deepEqual(await guess('127.0.0.6', 3), [401, 401, 429]);
      assert.equal((await loginFrom('127.0.0.7', 'flo', TEST_PASSWORD, proxy.url)).status, 200, 'below the cap for the name');
      assert.deepEqual(await guess('127.0.0.7', 2), [401, 401]);
      const capped = await loginFrom('127.0.0.8', 'flo', TEST_PASSWORD, proxy.url);
      assert.equal(capped.status, 429);
      assert.ok(Number(capped.headers.get('retry-after')) > 0);
      assert.equal((await loginFrom('127.0.0.8', 'bob', TEST_PASSWORD, proxy.url)).status, 200, 'other names are not capped');
    } finally {
      await proxy.close();
    }
  });

  test('behind a trusted reverse proxy, failed logins count by the client its X-Forwarded-For names, not by the reverse proxy', async () => {
    const [reverseProxy, other] = ['127.0.0.9', '127.0.0.10'];
    const proxy = await startProxy({
      couchAdminUrl: stack.couch.adminUrl,
      port: 0,
      logger: pino({ level: 'silent' }),
      trustedProxies: [`${reverseProxy}/32`],
    });
    try {
      const loginVia = (from: string, client: string, password: string) =>
        fetchFrom(from, `${proxy.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
          body: JSON.stringify({ name: 'gil', password }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await loginVia(reverseProxy, '203.0.113.1', `wrong-${i}`)).status);
      assert.deepEqual(statuses, [...Array(5).fill(401), 429]);
      assert.equal((await loginVia(reverseProxy, '203.0.113.2', TEST_PASSWORD)).status, 200, 'another client of the reverse proxy');
      // Anyone else's X-Forwarded-For is their own say: not read.
      assert.equal((await loginVia(other, '203.0.113.1', TEST_PASSWORD)).status, 200);
    } finally {
      await proxy.close();
    }
  });

  test('a browser a name logged in from before still logs in once guessers from many addresses capped the name; a fresh one does not', async () => {
    const reverseProxy = '127.0.0.11';
    const proxy = await startProxy({
      couchAdminUrl: stack.couch.adminUrl,
      port: 0,
      logger: pino({ level: 'silent' }),
      throttle: { perNameAndAddress: 2, perName: 4, perAddress: 100, windowS: 60, blockS: 60 },
      trustedProxies: [`${reverseProxy}/32`],
    });
    try {
      const loginVia = (client: string, name: string, password: string, cookie?: string) =>
        fetchFrom(reverseProxy, `${proxy.url}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client, ...(cookie && { cookie }) },
          body: JSON.stringify({ name, password }),
        });
      // Earlier logins, one through another proxy process on the same CouchDB: its cookie is known here too.
      const earlier = await loginFrom('127.0.0.12', 'hana', TEST_PASSWORD);
      assert.equal(earlier.status, 200);
      const tablet = deviceCookie(earlier);
      const setCookie = earlier.headers.getSetCookie().find((cookie) => cookie.startsWith(tablet))!;
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /SameSite=Strict/i);
      assert.match(setCookie, /Path=\/api\/session/);
      const ivans = await loginVia('203.0.113.21', 'ivan', TEST_PASSWORD);
      assert.equal(ivans.status, 200);
      const otherName = deviceCookie(ivans);

      for (const guesser of ['198.51.100.1', '198.51.100.2']) {
        for (let i = 0; i < 2; i++) assert.equal((await loginVia(guesser, 'hana', `wrong-${i}`)).status, 401);
      }
      assert.equal((await loginVia('203.0.113.22', 'hana', TEST_PASSWORD)).status, 429, 'a fresh client');
      const [value, signature] = [tablet.slice(0, tablet.lastIndexOf('.')), tablet.slice(tablet.lastIndexOf('.') + 1)];
      const forged = `${value}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      assert.equal((await loginVia('203.0.113.22', 'hana', TEST_PASSWORD, forged)).status, 429, 'a forged cookie');
      assert.equal((await loginVia('203.0.113.22', 'hana', TEST_PASSWORD, otherName)).status, 429, 'another name’s cookie');
      assert.equal((await loginVia('203.0.113.23', 'hana', TEST_PASSWORD, tablet)).status, 200, 'the browser hana used before');

      // The cookie is no way around the limit per name and address: a guesser holding it is stopped there.
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await loginVia('198.51.100.3', 'hana', `wrong-${i}`, tablet)).status);
      assert.deepEqual(statuses, [401, 401, 429]);
      assert.equal((await loginVia('198.51.100.3', 'hana', TEST_PASSWORD, tablet)).status, 429);
    } finally {
      await proxy.close();
    }
  });
});

/** The device cookie (`name=value`) a successful login set. */
function deviceCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((one) => one.startsWith('fieldbook_device='));
  assert.ok(cookie, 'a device cookie');
  return /^[^;]+/.exec(cookie)![0];
}

const metricValue = (text: string, series: string) => scrapedValue(text, series) ?? NaN;

describe('metrics', () => {
  test('/metrics is Prometheus text for admins only, with feeds, requests, upstream latency, sessions and throttled logins', async () => {
    const url = `${stack.proxy.url}/metrics`;
    // Its own throttled login and session, whatever ran before.
    for (let i = 0; i < 6; i++) await login('a-guesser', `wrong-${i}`);
    assert.equal((await login('a-guesser', 'wrong')).status, 429);
    assert.equal((await login('bob', TEST_PASSWORD)).status, 200);
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { authorization: basicAuth('bob') } })).status, 403);
    const feed = await openFeed(stack.proxy.url, `/db/${userDbName('bob')}/_changes?feed=continuous&heartbeat=10000&since=now`, {
      authorization: basicAuth('bob'),
    });
    try {
      assert.equal(feed.status, 200);
      const response = await fetch(url, { headers: { authorization: basicAuth('ada') } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      assert.equal(metricValue(text, 'fieldbook_proxy_open_feeds'), 1);
      assert.ok(
        metricValue(text, 'fieldbook_proxy_requests_total{route="session",status="429"}') >= 1,
        'throttled logins counted as requests',
      );
      assert.ok(metricValue(text, 'fieldbook_proxy_throttled_logins_total') >= 1);
      assert.ok(metricValue(text, 'fieldbook_proxy_upstream_seconds_count{status="2xx"}') >= 1);
      assert.ok(metricValue(text, 'fieldbook_proxy_sessions_cached') >= 1);
      assert.ok(metricValue(text, 'fieldbook_proxy_process_resident_memory_bytes') > 0);
    } finally {
      feed.close();
    }
  });

  test('a server admin of the configuration removed from it is refused with the session and credentials they had', async () => {
    const url = `${stack.proxy.url}/metrics`;
    await setServerAdmin(stack.admin, 'ops', TEST_PASSWORD);
    const asOps: Record<string, string>[] = [{ cookie: await loginCookie(stack.proxy.url, 'ops') }, { authorization: basicAuth('ops') }];
    for (const headers of asOps) assert.equal((await fetch(url, { headers })).status, 200);
    // No `_users` change: nothing ends their session. The session's roles are those of the login.
    await removeServerAdmin(stack.admin, 'ops');
    for (const headers of asOps) {
      const response = await fetch(url, { headers });
      assert.equal(response.status, 403);
      assert.equal(((await response.json()) as { error: string }).error, 'forbidden');
    }
  });

  test('a metrics port listens on loopback only, and answers nothing but /metrics', async () => {
    const proxy = await startProxy({
      couchAdminUrl: stack.couch.adminUrl,
      port: 0,
      logger: pino({ level: 'silent' }),
      metricsPort: await freePort(),
    });
    try {
      assert.match(proxy.metricsUrl!, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const response = await fetch(proxy.metricsUrl!);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /^# HELP fieldbook_proxy_open_feeds/m);
      assert.equal((await fetch(proxy.metricsUrl!.replace(/metrics$/, 'health'))).status, 404);
    } finally {
      await proxy.close();
    }
  });
});

describe('health', () => {
  test('ready needs a real database request answered; live only needs the process', async () => {
    const ready = () => fetch(`${stack.proxy.url}/health/ready`).then((response) => response.status);
    assert.equal(await ready(), 200);
    assert.equal((await fetch(`${stack.proxy.url}/health`)).status, 200);
    // CouchDB's root still answers, but the proxy cannot serve a login now.
    await stack.admin.db.destroy(SESSIONS_DB);
    try {
      assert.equal((await fetch(stack.couch.url)).status, 200);
      await waitFor(async () => (await ready()) === 503, 60_000, '/health/ready to say 503');
      const health = await fetch(`${stack.proxy.url}/health`);
      assert.equal(health.status, 503);
      assert.ok(Number(health.headers.get('retry-after')) > 0);
      assert.equal(((await health.json()) as { error: string }).error, 'service_unavailable');
      const live = await fetch(`${stack.proxy.url}/health/live`);
      assert.equal(live.status, 200);
    } finally {
      await bootstrap(stack.admin, { sessionTimeoutSeconds: 30 * 24 * 3600 });
    }
    await waitFor(async () => (await ready()) === 200, 60_000, '/health/ready to recover');
  });
});

describe('shutting down', () => {
  test('SIGTERM stops accepting, ends live feeds without waiting for them and exits', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', '..', 'proxy', 'main.ts')], {
      env: { ...process.env, COUCH_URL: stack.couch.adminUrl, PORT: String(port), LOG_LEVEL: 'silent', FIELDBOOK_DRAIN_MS: '3000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.add(child);
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
    try {
      const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
      const { url } = JSON.parse(line) as { url: string };
      // Heartbeats a minute apart, no writes: nothing but the shutdown ends this feed within
      // the minute waited for below. How long it all took is printed, not asserted.
      const feed = await openFeed(url, `/db/${userDbName('bob')}/_changes?feed=longpoll&heartbeat=60000&since=now`, {
        authorization: basicAuth('bob'),
      });
      assert.equal(feed.status, 200);
      const startedAt = Date.now();
      child.kill('SIGTERM');
      await within(feed.ended, 60_000, 'the feed to end');
      console.log(`SIGTERM: the live feed ended after ${Date.now() - startedAt} ms`);
      const [code] = await within(exited, 60_000, 'the proxy to exit');
      assert.equal(code, 0);
      console.log(`SIGTERM: the proxy exited after ${Date.now() - startedAt} ms (drain bound 3,000 ms)`);
      await assert.rejects(fetch(`${url}/health/live`));
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('a continuous feed ends as a complete response, and the request its client sends next on that connection is refused with 503', async () => {
    const proxy = await startProxy({ couchAdminUrl: stack.couch.adminUrl, port: 0, logger: pino({ level: 'silent' }) });
    // One connection, spoken to by hand, to see what a client reusing it gets.
    const socket = connect(Number(new URL(proxy.url).port), '127.0.0.1');
    let closing: Promise<void> | undefined;
    try {
      const closed = socketClosed(socket);
      let received = '';
      let askedAgain = false;
      socket.on('data', (chunk) => {
        received += chunk;
        // The zero-length chunk ends the feed: ask again at once, as CouchDB's replicator does.
        if (!askedAgain && received.includes('\r\n0\r\n\r\n')) {
          askedAgain = true;
          socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
        }
      });
      // Bob: CouchDB 3.4 itself locks out a name after the wrong passwords the throttling tests send.
      const feed = `/db/${userDbName('bob')}/_changes?feed=continuous&heartbeat=60000&since=0`;
      socket.write(`GET ${feed} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${basicAuth('bob')}\r\n\r\n`);
      await waitFor(async () => received.includes('"seq"') || /^HTTP\/1\.1 [^2]/.test(received), 30_000, 'the feed’s first changes');
      assert.match(received, /^HTTP\/1\.1 200/, received);
      closing = proxy.close();
      await within(closed, 30_000, 'the proxy to close the connection');
      await closing;
      const [feedAnswer, nextAnswer] = received.split(/(?=HTTP\/1\.1 )/);
      assert.match(feedAnswer, /^HTTP\/1\.1 200/);
      assert.ok(feedAnswer.endsWith('\r\n0\r\n\r\n'), `the feed ended as a complete response: ${JSON.stringify(feedAnswer.slice(-40))}`);
      // Unless the proxy closed the idle connection before the second request reached it.
      if (nextAnswer !== undefined) {
        assert.match(nextAnswer, /^HTTP\/1\.1 503/);
        assert.match(nextAnswer, /\r\nretry-after: 1\r\n/i);
        assert.match(nextAnswer, /\r\nconnection: close\r\n/i);
      }
    } finally {
      socket.destroy();
      await (closing ?? proxy.close());
    }
  });
});
