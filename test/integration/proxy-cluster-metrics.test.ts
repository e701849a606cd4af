import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { after, before, describe, test, type TestContext } from 'node:test';
import { HUB_DB } from '../../domain/db-names';
import { userDbName } from '../../domain/user-db-name';
import { buildProxyIfStale } from '../../scripts/build-proxy';
import { childPids, clientPortsHeldBy, killProxyGroup, startCompiledProxy } from '../support/compiled-proxy';
import { basicAuth, loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { scrapedValue } from '../support/metric-value';
import { settlesWithin } from '../support/open-feed';

/**
 * The compiled proxy as two node:cluster workers: every `/metrics` answer (the primary's
 * loopback port, the admin route on whichever worker) is the whole group's, and a stuck or
 * dead worker neither hangs a scrape nor crashes anything.
 */
let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', bob: 'inspector', ada: 'admin' });
  await buildProxyIfStale();
});
after(() => stack?.stop());

/** Generous: the suite must pass on a busy 2-core machine. */
const DEADLINE_MS = 90_000;

async function startWorkers(t: TestContext) {
  const metricsPort = await freePort();
  const { child, ready } = await startCompiledProxy(stack.couch.adminUrl, {
    FIELDBOOK_PROXY_WORKERS: '2',
    FIELDBOOK_METRICS_PORT: String(metricsPort),
  });
  t.after(() => killProxyGroup(child));
  assert.equal(ready.workers?.length, 2);
  assert.equal(ready.metrics, `http://127.0.0.1:${metricsPort}/metrics`);
  return { ready, metricsUrl: ready.metrics!, port: Number(new URL(ready.url).port) };
}

const scrape = async (url: string) => {
  const response = await fetch(url, { headers: { connection: 'close' } });
  assert.equal(response.status, 200);
  return response.text();
};

/** One series' value; absent counts as 0 (a counter nobody incremented yet has no labelled series). */
const value = (text: string, series: string) => scrapedValue(text, series) ?? 0;

/** The series that must add up across workers and hold still while nothing happens. */
const SUMMED = [
  'fieldbook_proxy_requests_total{route="db",status="200"}',
  'fieldbook_proxy_requests_total{route="session",status="200"}',
  'fieldbook_proxy_open_feeds',
  'fieldbook_proxy_upstream_seconds_count{status="2xx"}',
  'fieldbook_proxy_workers_live',
  'fieldbook_proxy_workers_unanswered',
] as const;
const summed = (text: string) => Object.fromEntries(SUMMED.map((series) => [series, value(text, series)]));

interface Feed {
  clientPort: number;
  ended: boolean;
  close(): void;
}

/** A live feed on a connection of its own (so the primary hands each to the next worker), with its client port. */
function openFeed(url: string, name: string): Promise<Feed> {
  const { hostname, port } = new URL(url);
  const path = `/db/${userDbName(name)}/_changes?feed=continuous&heartbeat=10000&since=now`;
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, agent: false, headers: { authorization: basicAuth(name) } }, (response) => {
      if (response.statusCode !== 200) return reject(new Error(`feed of ${name}: ${response.statusCode}`));
      response.resume();
      response.on('error', () => undefined);
      const feed: Feed = { clientPort: response.socket.localPort!, ended: false, close: () => req.destroy() };
      response.on('close', () => (feed.ended = true));
      resolve(feed);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('metrics of node:cluster workers', () => {
  test('every scrape, on the metrics port or the admin route, sums all workers: requests and open feeds as made, the same each time', async (t) => {
    const { ready, metricsUrl, port } = await startWorkers(t);
    const cookie = await loginCookie(ready.url, 'alice');
    const requests = 8;
    for (let i = 0; i < requests; i++) {
      // A connection each, so they go round-robin over both workers.
      const response = await fetch(`${ready.url}/db/${userDbName('alice')}`, { headers: { cookie, connection: 'close' } });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    const feeds = await Promise.all(['alice', 'bob', 'alice', 'bob', 'alice'].map((name) => openFeed(ready.url, name)));
    t.after(() => feeds.forEach((feed) => feed.close()));
    // Both workers hold some of the feeds, so a sum that is right cannot be one worker's fragment.
    const [first, second] = ready.workers!.map((pid) =>
      clientPortsHeldBy(pid, port).filter((clientPort) => feeds.some((feed) => feed.clientPort === clientPort)),
    );
    assert.ok(first.length > 0 && second.length > 0, `feeds per worker: ${first.length}, ${second.length}`);
    assert.equal(first.length + second.length, feeds.length);

    const expected = (text: string) => {
      const now = summed(text);
      return (
        now['fieldbook_proxy_requests_total{route="db",status="200"}'] === requests &&
        now['fieldbook_proxy_requests_total{route="session",status="200"}'] === 1 &&
        now['fieldbook_proxy_open_feeds'] === feeds.length &&
        now['fieldbook_proxy_workers_live'] === 2 &&
        now['fieldbook_proxy_workers_unanswered'] === 0 &&
        now
      );
    };
    // Counted as each response closes: wait until every count has arrived, then hold still.
    const settled = await waitFor(async () => expected(await scrape(metricsUrl)), DEADLINE_MS, 'the sums of both workers');
    for (let i = 0; i < 4; i++) assert.deepEqual(summed(await scrape(metricsUrl)), settled, `scrape ${i + 2}`);

    // The admin route, answered by whichever worker takes the connection, shows the same group.
    for (let i = 0; i < 4; i++) {
      const response = await fetch(`${ready.url}/metrics`, { headers: { authorization: basicAuth('ada'), connection: 'close' } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      assert.deepEqual(summed(await response.text()), settled, `admin route ${i + 1}`);
    }
    // prom-client's aggregators: process memory summed, the Node version once, the fd limit not summed.
    const text = await scrape(metricsUrl);
    assert.ok(value(text, 'fieldbook_proxy_process_resident_memory_bytes') > 0);
    assert.equal(text.match(/^fieldbook_proxy_nodejs_version_info\{/gm)?.length, 1);
    const maxFds = value(text, 'fieldbook_proxy_process_max_fds');
    assert.ok(
      maxFds > 0 && maxFds <= Number(/^Max open files\s+(\d+)/m.exec(readFileSync(`/proc/${ready.workers![0]}/limits`, 'utf8'))?.[1]),
    );

    // The primary alone runs the record handover: one clock, not the sum of three. A
    // change in the hub ends the round it holds open (the in-process proxy read the rest).
    await stack.admin.use(HUB_DB).insert(inspection('ada') as never);
    const handoverRead = await waitFor(
      async () => value(await scrape(metricsUrl), 'fieldbook_handover_last_round_seconds') || undefined,
      DEADLINE_MS,
      "the handover's first round",
    );
    assert.ok(handoverRead <= Date.now() / 1000 + 1, `last round at ${handoverRead}`);

    for (const feed of feeds) feed.close();
    await waitFor(async () => value(await scrape(metricsUrl), 'fieldbook_proxy_open_feeds') === 0, DEADLINE_MS, 'the feeds to close');
  });

  test('a stuck worker is left out and counted, a stuck primary makes the admin route 503, a killed worker leaves scrapes answering', async (t) => {
    const { ready, metricsUrl, port } = await startWorkers(t);
    const [stuck, killed] = ready.workers!;

    // A worker that cannot answer (stopped) is left out after the primary's bound, not waited for.
    process.kill(stuck, 'SIGSTOP');
    try {
      const answer = scrape(metricsUrl);
      assert.ok(await settlesWithin(answer, 30_000), 'the scrape answered with a worker stopped');
      const text = await answer;
      assert.equal(value(text, 'fieldbook_proxy_workers_live'), 2);
      assert.equal(value(text, 'fieldbook_proxy_workers_unanswered'), 1);
    } finally {
      process.kill(stuck, 'SIGCONT');
    }
    await waitFor(
      async () => value(await scrape(metricsUrl), 'fieldbook_proxy_workers_unanswered') === 0,
      DEADLINE_MS,
      'the stopped worker to answer again',
    );

    // A worker whose primary does not answer: the admin route says 503 in CouchDB's shape. The
    // connection is opened first, since a stopped primary hands out no new ones.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.after(() => agent.destroy());
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; retryAfter?: string; body: string }>((resolve, reject) => {
        const { hostname, port } = new URL(ready.url);
        request({ hostname, port, path, agent, headers }, (response) => {
          let body = '';
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, retryAfter: response.headers['retry-after'], body }));
        })
          .on('error', reject)
          .end();
      });
    assert.equal((await get('/health/live')).status, 200);
    process.kill(ready.pid, 'SIGSTOP');
    try {
      const refused = await get('/metrics', { authorization: basicAuth('ada') });
      assert.equal(refused.status, 503);
      assert.ok(Number(refused.retryAfter) > 0);
      assert.equal((JSON.parse(refused.body) as { error: string }).error, 'service_unavailable');
    } finally {
      process.kill(ready.pid, 'SIGCONT');
    }
    agent.destroy();

    // Feeds on both workers; one worker killed outright: its feeds end, the scrape still answers.
    const feeds = await Promise.all(['alice', 'bob', 'alice', 'bob'].map((name) => openFeed(ready.url, name)));
    t.after(() => feeds.forEach((feed) => feed.close()));
    const heldByKilled = clientPortsHeldBy(killed, port).filter((clientPort) => feeds.some((feed) => feed.clientPort === clientPort));
    assert.ok(
      heldByKilled.length > 0 && heldByKilled.length < feeds.length,
      `the worker to kill holds ${heldByKilled.length} of ${feeds.length} feeds`,
    );
    await waitFor(
      async () => value(await scrape(metricsUrl), 'fieldbook_proxy_open_feeds') === feeds.length,
      DEADLINE_MS,
      'the feeds to be counted',
    );
    process.kill(killed, 'SIGKILL');
    const answer = scrape(metricsUrl);
    assert.ok(await settlesWithin(answer, 30_000), 'the scrape answered with a worker killed');
    await answer;
    await waitFor(
      async () => {
        const text = await scrape(metricsUrl);
        const open = feeds.filter((feed) => !feed.ended).length;
        const workers = childPids(ready.pid);
        return (
          workers.length === 2 &&
          !workers.includes(killed) &&
          value(text, 'fieldbook_proxy_workers_live') === 2 &&
          value(text, 'fieldbook_proxy_workers_unanswered') === 0 &&
          value(text, 'fieldbook_proxy_open_feeds') === open
        );
      },
      DEADLINE_MS,
      'a replacement worker, and the open feeds of the survivor counted',
    );
    assert.equal(feeds.filter((feed) => feed.ended).length, heldByKilled.length, "the killed worker's feeds ended, the others stay open");
  });
});
