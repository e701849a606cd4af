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
 *            reopened from last_seq after every answer) or continuous
 * --users    users the feeds are spread over (default 20)
 * --writes   writes per measurement, at --rate per second (default 50 at 10/s)
 *
 * The proxy runs alone in its own process, compiled (dist/proxy/main.js, built when stale),
 * as in production. Loopback only;
 * every feed and process is closed at the end. A benchmark reports; it does not assert.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { FieldbookRole } from '../couch/users';
import { userDbName } from '../couch/user-db-name';
import { basicAuth, loginCookie, startTestStack } from '../test/support/couch-harness';
import { inspection } from '../test/support/fixtures';
import { freePort } from '../test/support/free-port';
import { TEST_SERVER } from '../test/support/test-server';
import { buildProxyIfStale, PROXY_BUNDLE } from '../scripts/build-proxy';

const { values } = parseArgs({
  options: {
    feeds: { type: 'string', default: '100' },
    mode: { type: 'string', default: 'longpoll' },
    users: { type: 'string', default: '20' },
    writes: { type: 'string', default: '50' },
    rate: { type: 'string', default: '10' },
  },
});
const feedCounts = values.feeds.split(',').map(Number);
const mode = values.mode === 'continuous' ? 'continuous' : 'longpoll';
const userCount = Number(values.users);
const writeCount = Number(values.writes);
const writeEveryMs = 1000 / Number(values.rate);

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

/** One user's live feed, kept open (longpoll: reopened after each answer) until stopped; reports every doc id it sees. */
function follow(target: Target, user: string, onId: (id: string) => void): { ready: Promise<boolean>; stop(): void } {
  const { hostname, port } = new URL(target.baseUrl);
  let current: ClientRequest | null = null;
  let stopped = false;
  let markReady: (open: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => (markReady = resolve));
  const open = (since: string) => {
    const query = mode === 'longpoll' ? `style=all_docs&feed=longpoll&heartbeat=10000&since=${since}&limit=250` : `feed=continuous&heartbeat=10000&since=${since}`;
    current = request({ hostname, port, agent: false, path: `${pathOf(target, user)}/_changes?${query}`, headers: target.auth(user) }, (response) => {
      markReady(response.statusCode === 200);
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
    });
    current.on('error', () => markReady(false));
    current.end();
  };
  open('now');
  return { ready, stop: () => ((stopped = true), current?.destroy()) };
}

const pathOf = (target: Target, user: string) => (target.name === 'proxy' ? `/db/${userDbName(user)}` : `/${userDbName(user)}`);

async function measure(target: Target, users: string[], feeds: number): Promise<Measurement> {
  const waiting = new Map<string, { startedAt: number; left: number }>();
  const deliveryMs: number[] = [];
  const feedsPerUser = new Map<string, number>();
  const onId = (id: string) => {
    const pending = waiting.get(id);
    if (!pending) return;
    deliveryMs.push(performance.now() - pending.startedAt);
    if (--pending.left === 0) waiting.delete(id);
  };
  const open = Array.from({ length: feeds }, (_, i) => {
    const user = users[i % users.length];
    feedsPerUser.set(user, (feedsPerUser.get(user) ?? 0) + 1);
    return follow(target, user, onId);
  });
  const opened = await Promise.all(open.map((feed) => feed.ready));
  const refused = opened.filter((ok) => !ok).length;
  const writeMs: number[] = [];
  const writes: Promise<void>[] = [];
  for (let i = 0; i < writeCount; i++) {
    const user = users[i % users.length];
    const doc = inspection(user);
    const startedAt = performance.now();
    waiting.set(doc._id, { startedAt, left: feedsPerUser.get(user) ?? 0 });
    writes.push(
      fetch(`${target.baseUrl}${pathOf(target, user)}`, { method: 'POST', headers: { ...target.auth(user), 'content-type': 'application/json' }, body: JSON.stringify(doc) }).then(async (response) => {
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
  for (const feed of open) feed.stop();
  return { writeMs, deliveryMs, refused };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function processStats(pid: number): { rssMb: number; fds: number } {
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { rssMb: Math.round(rss / 1024), fds: readdirSync(`/proc/${pid}/fd`).length };
}

async function main(): Promise<void> {
  const users = Array.from({ length: userCount }, (_, i) => `inspector${i}`);
  console.log(`Starting ${TEST_SERVER} with ${users.length} users...`);
  const stack = await startTestStack(Object.fromEntries(users.map((user) => [user, 'inspector' as FieldbookRole])));
  const port = await freePort();
  await buildProxyIfStale();
  const proxyProcess = spawn(process.execPath, [PROXY_BUNDLE], {
    env: { ...process.env, COUCH_URL: stack.couch.adminUrl, PORT: String(port), LOG_LEVEL: 'warn', FIELDBOOK_MAX_FEEDS_PER_USER: String(Math.max(...feedCounts)), FIELDBOOK_MAX_FEEDS: String(Math.max(...feedCounts) * 2) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(createInterface({ input: proxyProcess.stdout! }), 'line')) as [string];
    const { url, pid } = JSON.parse(line) as { url: string; pid: number };
    const idle = processStats(pid);
    const cookies = new Map<string, string>();
    for (const user of users) cookies.set(user, await loginCookie(url, user));
    const proxy: Target = { name: 'proxy', baseUrl: url, auth: (user) => ({ cookie: cookies.get(user)! }) };
    const direct: Target = { name: 'direct', baseUrl: stack.couch.url, auth: (user) => ({ authorization: basicAuth(user) }) };
    console.log(`Proxy process idle: ${idle.rssMb} MB RSS, ${idle.fds} fds. Mode ${mode}, ${users.length} users, ${writeCount} writes at ${values.rate}/s.\n`);
    const rows: string[] = [];
    for (const feeds of feedCounts) {
      const viaDirect = await measure(direct, users, feeds);
      let peak = { rssMb: 0, fds: 0 };
      const sampler = setInterval(() => {
        const now = processStats(pid);
        peak = { rssMb: Math.max(peak.rssMb, now.rssMb), fds: Math.max(peak.fds, now.fds) };
      }, 200);
      const viaProxy = await measure(proxy, users, feeds);
      clearInterval(sampler);
      const ratio = (a: number[], b: number[], p: number) => (percentile(a, p) / percentile(b, p)).toFixed(2);
      const ms = (values: number[], p: number) => percentile(values, p).toFixed(0);
      rows.push(
        `| ${TEST_SERVER} | ${mode} | ${feeds} | ${ms(viaProxy.writeMs, 50)} / ${ms(viaProxy.writeMs, 99)} | ${ms(viaDirect.writeMs, 50)} / ${ms(viaDirect.writeMs, 99)} | ` +
          `${ms(viaProxy.deliveryMs, 50)} / ${ms(viaProxy.deliveryMs, 99)} | ${ms(viaDirect.deliveryMs, 50)} / ${ms(viaDirect.deliveryMs, 99)} | ` +
          `${ratio(viaProxy.deliveryMs, viaDirect.deliveryMs, 99)} | ${peak.rssMb} | ${peak.fds} | ${viaProxy.refused}/${viaDirect.refused} |`,
      );
      const expected = writeCount * (feeds / users.length);
      console.log(
        `${feeds} feeds: proxy delivered ${viaProxy.deliveryMs.length}/${Math.round(expected)}, direct ${viaDirect.deliveryMs.length}/${Math.round(expected)}; ` +
          `write p99 ratio ${ratio(viaProxy.writeMs, viaDirect.writeMs, 99)}, delivery p99 ratio ${ratio(viaProxy.deliveryMs, viaDirect.deliveryMs, 99)}`,
      );
    }
    console.log('\n| server | mode | feeds | write ms p50 / p99 proxy | direct | delivery ms p50 / p99 proxy | direct | delivery p99 proxy/direct | proxy peak RSS MB | proxy peak fds | refused proxy/direct |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log(`\nProxy idle RSS ${idle.rssMb} MB (the compiled entry, dist/proxy/main.js, as production runs it).`);
  } finally {
    proxyProcess.kill('SIGTERM');
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
