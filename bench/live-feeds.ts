/**
 * Live feeds at scale: N concurrent `_changes` feeds spread over many users (each with a
 * session), then steady writes; write acknowledgement and change delivery latency (p50,
 * p99), the proxy process's RSS and file descriptors, and the same feeds opened directly on
 * the server in the same run, with the ratios proxy/direct.
 *
 *   npm run bench:feeds                                   # 100 feeds, quick (about a minute)
 *   npm run bench:feeds -- --feeds 100,1000 --writes 100
 *   FIELDBOOK_TEST_SERVER=couchdb npm run bench:feeds -- --feeds 100,1000,5000
 *
 * --feeds    comma-separated feed counts, each measured through the proxy and directly
 * --mode     longpoll (as the app's live pull makes them: style=all_docs, heartbeat=10000,
 *            reopened from last_seq after every answer), continuous, or both: longpoll,continuous
 * --per-user feeds per user (default 5): N feeds are N / 5 users, each write wakes 5 feeds
 * --writes   writes per measurement, at --rate per second (default 50 at 10/s)
 * --rounds   measurements per side (default 1), alternating which side goes first; the table
 *            gives the ratio of all rounds pooled and the median of the rounds' ratios
 * --profile  a directory: the proxy process writes a V8 CPU profile there (open it in Chrome DevTools)
 *
 * The proxy runs alone in its own process, compiled (dist/proxy/main.js, built when stale),
 * with production's Node flags (PROXY_NODE_FLAGS). Loopback only;
 * every feed and process is closed at the end. A benchmark reports; it does not assert.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { CouchAdmin } from '../couch/couch-admin';
import { setServerConfig } from '../couch/server-config';
import { addUser } from '../couch/users';
import { atMostAtOnce } from '../domain/at-most-at-once';
import { userDbName } from '../domain/user-db-name';
import { loginCookie, startTestStack, TEST_PASSWORD } from '../test/support/couch-harness';
import { inspection } from '../test/fixtures/documents';
import { freePort } from '../test/support/free-port';
import { scrapedValue } from '../test/support/metric-value';
import { TEST_SERVER } from '../test/support/test-server';
import { buildProxyIfStale, PROXY_BUNDLE, PROXY_NODE_FLAGS } from '../scripts/build-proxy';
import { median, percentile } from './stats';

const { values } = parseArgs({
  options: {
    feeds: { type: 'string', default: '100' },
    mode: { type: 'string', default: 'longpoll' },
    'per-user': { type: 'string', default: '5' },
    writes: { type: 'string', default: '50' },
    rate: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    profile: { type: 'string' },
  },
});
const feedCounts = values.feeds.split(',').map(Number);
type Mode = 'longpoll' | 'continuous';
const modes = values.mode.split(',').map((mode): Mode => (mode === 'continuous' ? 'continuous' : 'longpoll'));
const feedsPerUser = Number(values['per-user']);
const writeCount = Number(values.writes);
const writeEveryMs = 1000 / Number(values.rate);
const rounds = Number(values.rounds);

/**
 * Feeds being opened at once, on both sides alike, as a proxy opens its upstream feeds while
 * its clients get through. Opened in one burst of 5,000 connections, CouchDB left up to 2,590 of
 * the direct side's feeds unanswered for a minute (none through the proxy), and the direct side
 * then measured deliveries to fewer feeds than the proxy did.
 */
const OPENING_AT_ONCE = 256;

interface Target {
  name: string;
  baseUrl: string;
  auth(user: string): Record<string, string>;
}

interface Measurement {
  writeMs: number[];
  deliveryMs: number[];
  refused: number;
}

/** How a feed's opening went: "200", another status, or the socket error's code. */
type Opening = string;

/** One user's live feed, kept open (longpoll: reopened after each answer) until stopped; reports every doc id it sees. */
function follow(target: Target, user: string, mode: Mode, onId: (id: string) => void): { ready: Promise<Opening>; stop(): void } {
  const { hostname, port } = new URL(target.baseUrl);
  let current: ClientRequest | null = null;
  let stopped = false;
  let markReady: (opening: Opening) => void = () => undefined;
  const ready = new Promise<Opening>((resolve) => (markReady = resolve));
  const open = (since: string) => {
    const query =
      mode === 'longpoll'
        ? `style=all_docs&feed=longpoll&heartbeat=10000&since=${since}&limit=250`
        : `feed=continuous&heartbeat=10000&since=${since}`;
    current = request(
      { hostname, port, agent: false, path: `${pathOf(target, user)}/_changes?${query}`, headers: target.auth(user) },
      (response) => {
        markReady(String(response.statusCode));
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          for (const match of text.matchAll(/"id":"([^"]+)"/g)) onId(match[1]);
          if (mode === 'continuous') text = text.slice(text.lastIndexOf('\n') + 1);
        });
        response.on('end', () => {
          if (stopped || response.statusCode !== 200) return;
          const lastSeq = /"last_seq":("[^"]*"|\d+)/.exec(text)?.[1];
          open(lastSeq ? encodeURIComponent(JSON.parse(lastSeq)) : 'now');
        });
        response.on('error', () => undefined);
      },
    );
    current.on('error', (error: NodeJS.ErrnoException) => markReady(error.code ?? error.message));
    current.end();
  };
  open('now');
  return { ready, stop: () => ((stopped = true), current?.destroy()) };
}

const pathOf = (target: Target, user: string) => (target.name === 'proxy' ? `/db/${userDbName(user)}` : `/${userDbName(user)}`);

async function measure(
  target: Target,
  users: string[],
  feeds: number,
  mode: Mode,
  /** Called once every feed is open, before the writes, and once the writes are delivered, before the feeds close. */
  hooks: { opened?: () => Promise<void>; delivered?: () => Promise<void> } = {},
): Promise<Measurement> {
  const waiting = new Map<string, { startedAt: number; left: number }>();
  const deliveryMs: number[] = [];
  const feedsPerUser = new Map<string, number>();
  const onId = (id: string) => {
    const pending = waiting.get(id);
    if (!pending) return;
    deliveryMs.push(performance.now() - pending.startedAt);
    if (--pending.left === 0) waiting.delete(id);
  };
  for (let i = 0; i < feeds; i++) {
    const user = users[i % users.length];
    feedsPerUser.set(user, (feedsPerUser.get(user) ?? 0) + 1);
  }
  const open: ReturnType<typeof follow>[] = [];
  const opened: Opening[] = [];
  const openingSince = performance.now();
  await atMostAtOnce(OPENING_AT_ONCE, feeds, async (i) => {
    const feed = follow(target, users[i % users.length], mode, onId);
    open.push(feed);
    // A feed the server never answers counts as refused after a minute, instead of hanging the run.
    opened.push(
      await Promise.race([feed.ready, new Promise<Opening>((resolve) => setTimeout(resolve, 60_000, 'no answer in 60 s').unref())]),
    );
  });
  const refused = opened.filter((opening) => opening !== '200').length;
  const byHow = new Map<Opening, number>();
  for (const opening of opened) if (opening !== '200') byHow.set(opening, (byHow.get(opening) ?? 0) + 1);
  const failures = [...byHow].map(([how, count]) => `${count} × ${how}`);
  console.log(
    `  ${target.name}: ${feeds - refused}/${feeds} feeds open after ${((performance.now() - openingSince) / 1000).toFixed(1)} s${failures.length ? ` (refused: ${failures.join(', ')})` : ''}`,
  );
  await hooks.opened?.();
  const writeMs: number[] = [];
  const writes: Promise<void>[] = [];
  for (let i = 0; i < writeCount; i++) {
    const user = users[i % users.length];
    const doc = inspection(user);
    const startedAt = performance.now();
    waiting.set(doc._id, { startedAt, left: feedsPerUser.get(user) ?? 0 });
    writes.push(
      fetch(`${target.baseUrl}${pathOf(target, user)}`, {
        method: 'POST',
        headers: { ...target.auth(user), 'content-type': 'application/json' },
        body: JSON.stringify(doc),
      }).then(async (response) => {
        await response.arrayBuffer();
        if (response.status === 201) writeMs.push(performance.now() - startedAt);
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, writeEveryMs));
  }
  await Promise.all(writes);
  // Deliveries still under way get up to 10 s; what never arrives counts as missing.
  const deadline = Date.now() + 10_000;
  while (waiting.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  await hooks.delivered?.();
  for (const feed of open) feed.stop();
  return { writeMs, deliveryMs, refused };
}

/**
 * Provisions the users as the admin tools do (database, security, design doc, hub jobs),
 * eight at a time. Password hashing is set cheap first: it is set-up cost only (every
 * measured request carries a session cookie), and CouchDB's 600,000 PBKDF2 rounds would
 * make a thousand users and their logins take many minutes on two cores.
 */
async function addUsers(admin: CouchAdmin, users: string[]): Promise<void> {
  const startedAt = performance.now();
  await setServerConfig(admin, 'chttpd_auth', 'iterations', '1000');
  await atMostAtOnce(8, users.length, (i) => addUser(admin, users[i], TEST_PASSWORD, 'inspector'));
  console.log(`${users.length} users provisioned in ${((performance.now() - startedAt) / 1000).toFixed(0)} s`);
}

async function couchSessionCookie(couchUrl: string, name: string): Promise<string> {
  const response = await fetch(`${couchUrl}/_session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: TEST_PASSWORD }),
  });
  if (!response.ok) throw new Error(`CouchDB login of ${name} failed: ${response.status} ${await response.text()}`);
  return /^[^;]+/.exec(response.headers.get('set-cookie')!)![0];
}

/** The proxy's /metrics text. */
async function scrape(metricsUrl: string): Promise<string> {
  return (await fetch(metricsUrl)).text();
}

/** One of the proxy's own series (prefixed `fieldbook_proxy_`) in scraped text. */
const proxyMetric = (text: string, series: string) => scrapedValue(text, `fieldbook_proxy_${series}`);

/**
 * Where the proxy's memory is while the feeds are open (V8 heap, buffers outside it, and the
 * rest), and how long the scrape that read it took: a Prometheus scrape runs on the proxy's event loop.
 */
function printMemory(text: string, feeds: number, scrapeMs: number): void {
  const mb = (series: string) => Math.round((proxyMetric(text, series) ?? NaN) / 2 ** 20);
  console.log(
    `  proxy with ${feeds} feeds open: RSS ${mb('process_resident_memory_bytes')} MB, heap used ${mb('nodejs_heap_size_used_bytes')} of ${mb('nodejs_heap_size_total_bytes')} MB, external ${mb('nodejs_external_memory_bytes')} MB; /metrics answered in ${scrapeMs.toFixed(0)} ms`,
  );
}

/**
 * What the proxy still holds once every feed of a phase has closed and its garbage is
 * collected: flat from phase to phase, or it leaks. Waits until the proxy has counted its
 * feeds down to 0 and closed their sockets (back to within a few descriptors of idle; its
 * pools close an idle socket after 4 s): probed as soon as the count reached 0, 45 of 53 MB
 * of heap were still reachable with 2,000 feeds, and 17 MB a few seconds later.
 */
async function retainedAfterClose(
  metricsUrl: string,
  proxyProcess: ChildProcess,
  probeAnswers: ReturnType<typeof createInterface>,
  idleFds: number,
): Promise<{ heapUsedMb: number; rssMb: number; fds: number }> {
  // Sockets some other work of the proxy keeps open must not hang the run: probe after 30 s anyway (the fds printed say so).
  const socketsCloseBy = Date.now() + 30_000;
  let fds: number;
  for (;;) {
    const feedsClosed = proxyMetric(await scrape(metricsUrl), 'open_feeds') === 0;
    fds = processStats(proxyProcess.pid!).fds;
    if (feedsClosed && (fds <= idleFds + 4 || Date.now() > socketsCloseBy)) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const answer = once(probeAnswers, 'line');
  proxyProcess.kill('SIGUSR2');
  const [line] = (await answer) as [string];
  return { ...(JSON.parse(line) as { heapUsedMb: number; rssMb: number }), fds };
}

/** The proxy's event loop and garbage collector, from its /metrics (prom-client's default metrics). */
interface ProxyRuntime {
  /** Event-loop delay since the previous scrape (prom-client resets it on each), ms: p50, p99, max. */
  loopDelayMs: [number, number, number];
  /** Collections since the process started, and the seconds they took, by kind. */
  gc: Record<'minor' | 'major', { count: number; seconds: number }>;
}

function proxyRuntime(text: string): ProxyRuntime {
  const value = (series: string) => proxyMetric(text, series) ?? 0;
  // A 10 ms timer measures it (prom-client's default): an interval of 10 ms is no delay.
  const delay = (stat: string) => Math.max(0, value(`nodejs_eventloop_lag_${stat}_seconds`) * 1000 - 10);
  const gc = (kind: string) => ({
    count: value(`nodejs_gc_duration_seconds_count{kind="${kind}"}`),
    seconds: value(`nodejs_gc_duration_seconds_sum{kind="${kind}"}`),
  });
  return { loopDelayMs: [delay('p50'), delay('p99'), delay('max')], gc: { minor: gc('minor'), major: gc('major') } };
}

/** What the proxy's own runtime did while the writes were measured: how long its event loop could not answer, and its collections. */
function printRuntime(before: ProxyRuntime, after: ProxyRuntime): void {
  const [p50, p99, max] = after.loopDelayMs.map((ms) => ms.toFixed(0));
  const collections = (kind: 'minor' | 'major') =>
    `${after.gc[kind].count - before.gc[kind].count} (${((after.gc[kind].seconds - before.gc[kind].seconds) * 1000).toFixed(0)} ms)`;
  console.log(
    `  proxy during the writes: event-loop delay p50 ${p50} ms, p99 ${p99} ms, max ${max} ms; scavenges ${collections('minor')}, mark-compacts ${collections('major')}`,
  );
}

function processStats(pid: number): { rssMb: number; fds: number } {
  return { rssMb: statusMb(pid, 'VmRSS'), fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** A memory figure of /proc/PID/status, in MB: VmRSS now, VmHWM the most the process ever held. */
function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

async function main(): Promise<void> {
  const users = Array.from({ length: Math.ceil(Math.max(...feedCounts) / feedsPerUser) }, (_, i) => `inspector${i}`);
  console.log(`Starting ${TEST_SERVER} with ${users.length} users...`);
  const stack = await startTestStack({});
  try {
    await addUsers(stack.admin, users);
    await buildProxyIfStale();
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const port = await freePort();
  const profiling = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  const retainedProbe = ['--expose-gc', '--require', join(__dirname, 'support', 'gc-on-signal.cjs')];
  const proxyProcess = spawn(process.execPath, [...PROXY_NODE_FLAGS, ...profiling, ...retainedProbe, PROXY_BUNDLE], {
    env: {
      ...process.env,
      COUCH_URL: stack.couch.adminUrl,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      FIELDBOOK_MAX_FEEDS_PER_USER: String(Math.max(...feedCounts)),
      FIELDBOOK_MAX_FEEDS: String(Math.max(...feedCounts) * 2),
      FIELDBOOK_METRICS_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'pipe', 'inherit', 'pipe'],
  });
  const probeAnswers = createInterface({ input: proxyProcess.stdio[3] as Readable });
  try {
    const [line] = (await once(createInterface({ input: proxyProcess.stdout! }), 'line')) as [string];
    const { url, pid, metrics: metricsUrl } = JSON.parse(line) as { url: string; pid: number; metrics: string };
    const idle = processStats(pid);
    const cookies = new Map<string, string>();
    for (const user of users) cookies.set(user, await loginCookie(url, user));
    const proxy: Target = { name: 'proxy', baseUrl: url, auth: (user) => ({ cookie: cookies.get(user)! }) };
    // The direct feeds use CouchDB's own session cookies, as the proxy does upstream: Basic
    // auth would make CouchDB hash the password (600,000 PBKDF2 rounds) on every reopen.
    const couchCookies = new Map<string, string>();
    for (const user of users) couchCookies.set(user, await couchSessionCookie(stack.couch.url, user));
    const direct: Target = { name: 'direct', baseUrl: stack.couch.url, auth: (user) => ({ cookie: couchCookies.get(user)! }) };
    console.log(
      `Proxy process idle: ${idle.rssMb} MB RSS, ${idle.fds} fds. ${feedsPerUser} feeds per user, ${writeCount} writes at ${values.rate}/s.\n`,
    );
    const rows: string[] = [];
    for (const mode of modes)
      for (const feeds of feedCounts) {
        const feedUsers = users.slice(0, Math.ceil(feeds / feedsPerUser));
        const viaDirect: Measurement[] = [];
        const viaProxy: Measurement[] = [];
        let peak = { rssMb: 0, fds: 0 };
        const viaTheProxy = async () => {
          const sampler = setInterval(() => {
            const now = processStats(pid);
            peak = { rssMb: Math.max(peak.rssMb, now.rssMb), fds: Math.max(peak.fds, now.fds) };
          }, 200);
          // The runtime's figures end before the feeds close: 5,000 closing at once hold the
          // event loop for about a second, which is not a delivery's wait.
          let runtimeBefore: ProxyRuntime | undefined;
          const opened = async () => {
            const asked = performance.now();
            const text = await scrape(metricsUrl);
            printMemory(text, feeds, performance.now() - asked);
            runtimeBefore = proxyRuntime(text);
          };
          const delivered = async () => printRuntime(runtimeBefore!, proxyRuntime(await scrape(metricsUrl)));
          viaProxy.push(await measure(proxy, feedUsers, feeds, mode, { opened, delivered }));
          clearInterval(sampler);
          const retained = await retainedAfterClose(metricsUrl, proxyProcess, probeAnswers, idle.fds);
          console.log(
            `  proxy after the ${feeds} feeds closed (${retained.fds} fds open, ${idle.fds} idle), after a full GC: heap ${retained.heapUsedMb} MB, RSS ${retained.rssMb} MB`,
          );
        };
        // Rounds alternate which side goes first (direct, proxy, proxy, direct, ...), so a machine
        // that gets busier or quieter during the run weighs on both sides alike.
        for (let round = 0; round < rounds; round++) {
          if (round % 2 === 0) viaDirect.push(await measure(direct, feedUsers, feeds, mode));
          await viaTheProxy();
          if (round % 2 === 1) viaDirect.push(await measure(direct, feedUsers, feeds, mode));
        }
        const roundRatios = viaProxy.map((proxied, i) => percentile(proxied.deliveryMs, 99) / percentile(viaDirect[i].deliveryMs, 99));
        const all = (measurements: Measurement[], key: 'writeMs' | 'deliveryMs') => measurements.flatMap((m) => m[key]);
        const refused = (measurements: Measurement[]) => measurements.reduce((sum, m) => sum + m.refused, 0);
        const ratio = (a: number[], b: number[], p: number) => (percentile(a, p) / percentile(b, p)).toFixed(2);
        const ms = (values: number[], p: number) => percentile(values, p).toFixed(0);
        const [proxyWrites, directWrites] = [all(viaProxy, 'writeMs'), all(viaDirect, 'writeMs')];
        const [proxyDeliveries, directDeliveries] = [all(viaProxy, 'deliveryMs'), all(viaDirect, 'deliveryMs')];
        rows.push(
          `| ${TEST_SERVER} | ${mode} | ${feeds} | ${ms(proxyWrites, 50)} / ${ms(proxyWrites, 99)} | ${ms(directWrites, 50)} / ${ms(directWrites, 99)} | ` +
            `${ms(proxyDeliveries, 50)} / ${ms(proxyDeliveries, 99)} | ${ms(directDeliveries, 50)} / ${ms(directDeliveries, 99)} | ` +
            `${ratio(proxyDeliveries, directDeliveries, 99)} | ${median(roundRatios).toFixed(2)} (${roundRatios.map((r) => r.toFixed(2)).join(', ')}) | ` +
            `${peak.rssMb} | ${peak.fds} | ${refused(viaProxy)}/${refused(viaDirect)} | ${loadavg()[0].toFixed(1)} |`,
        );
        const expected = rounds * writeCount * (feeds / feedUsers.length);
        console.log(
          `${mode}, ${feeds} feeds, ${rounds} round(s): proxy delivered ${proxyDeliveries.length}/${Math.round(expected)}, direct ${directDeliveries.length}/${Math.round(expected)}; ` +
            `write p99 ratio ${ratio(proxyWrites, directWrites, 99)}, delivery p99 ratio ${ratio(proxyDeliveries, directDeliveries, 99)}`,
        );
      }
    console.log(
      "\n| server | mode | feeds | write ms p50 / p99 proxy | direct | delivery ms p50 / p99 proxy | direct | delivery p99 proxy/direct, all rounds | median of the rounds' ratios (each round) | proxy peak RSS MB | proxy peak fds | refused proxy/direct | machine load (1 min) |",
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log(
      `\nProxy idle RSS ${idle.rssMb} MB (the compiled entry, dist/proxy/main.js, as production runs it); ` +
        `the most it ever held (the kernel's VmHWM, closing phases and the forced collections included): ${statusMb(pid, 'VmHWM')} MB.`,
    );
  } finally {
    proxyProcess.kill('SIGTERM');
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
