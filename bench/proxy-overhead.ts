/**
 * How much the Fieldbook proxy slows down a pull replication.
 *
 * Seeds N valid inspection docs into alice's user database on the database server (the
 * embedded PouchDB Server, or a real CouchDB 3.4 with --server couchdb), then, for several
 * rounds, replicates server -> fresh in-memory Node PouchDB both
 *   (a) through the proxy (`/db/<userdb>`, as alice), and
 *   (b) directly from the same server (HTTP Basic, as alice),
 * so the only difference between the two is the proxy. The order alternates per round
 * (ABBA: P D | D P | P D ...) to cancel drift, after one unmeasured warm-up replication of
 * the whole database each way (the first full read of a freshly seeded PouchDB Server is
 * much slower, and it would otherwise always fall on the proxy's first run). Prints per-round times, docs/s, requests and
 * CPU seconds of each process (client, database server, proxy), the median ratio proxy/direct
 * against the targets (<= 1.10 now, <= 1.05 later), a CPU-based estimate of that ratio (robust
 * when other work makes wall times noisy) and the writes the proxy made to its session store.
 *
 * A benchmark reports; it does not assert: the exit code is 0 whatever the ratio.
 *
 *   npx tsx bench/proxy-overhead.ts [--server pouchdb-server|couchdb] [--docs 10000] [--rounds 5] [--proxy-auth basic|cookie]
 *     [--proxy-mode process|in-process] [--batch-size 250] [--no-keepalive] [--json] [--json-file PATH]
 *
 * --server       the database server: pouchdb-server (embedded PouchDB Server) or couchdb (Apache
 *                CouchDB 3.4 from ../shared/couchdb); default FIELDBOOK_TEST_SERVER, as in the
 *                tests, else pouchdb-server. Both paths, and so the ratio, are on that server.
 * --batch-size   documents per replication batch; default the app's REPLICATION_BATCH_SIZE,
 *                100 is PouchDB's own default (twice the requests for the same documents).
 * --proxy-auth   basic (default): the proxy forwards alice's Basic credentials, exactly
 *                what the direct run sends, so the comparison is like for like. cookie: log
 *                in through /api/session and use the fieldbook_session cookie, as the PWA does
 *                (CouchDB then checks an AuthSession cookie instead of a password).
 * --proxy-mode   process (default): the proxy runs in its own Node process, as in
 *                production. in-process: the harness's proxy, sharing this process's event
 *                loop with the replicating client (inflates the overhead on small machines).
 * --no-keepalive a new TCP connection per request, which is what PouchDB in Node does by
 *                default (node-fetch sends `Connection: close` when given no agent). Without
 *                the flag connections are kept alive, as a browser (the PWA) does.
 * --json         print a machine-readable summary as the last stdout line.
 * --json-file    write that summary to a file.
 *
 * Env: LOG_LEVEL for the proxy process (default info, as in production); BENCH_PROXY_NODE_ARGS
 * adds Node flags to it, e.g. "--cpu-prof --cpu-prof-dir=/tmp/proxy-prof" to profile it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import PouchDB from 'pouchdb';
import memoryAdapter from 'pouchdb-adapter-memory';
import { IdleClosingAgent } from '../proxy/couch-forward';
import { userDbName } from '../domain/user-db-name';
import { SESSIONS_DB } from '../couch/user-sessions';
import type { ChecklistItem, Inspection } from '../domain/doc-types';
import { REPLICATION_BATCH_SIZE } from '../src/app/core/replication-options';
import { inspection } from '../test/fixtures/documents';
import { basicAuth, loginCookie, TEST_PASSWORD } from '../test/support/couch-harness';
import { seqNumber } from '../test/support/seq-number';
import { serverKind, settleIndexes, startBenchStack, type BenchStack } from './bench-stack';
import { fmt, median } from './stats';
import { cpuOfPid } from './process-cpu';

PouchDB.plugin(memoryAdapter);

// PouchDB's default fetch wraps node-fetch in a cookie jar shared by every remote database,
// which would leak cookies between the proxy and the server (both on 127.0.0.1). Plain
// node-fetch (the same client PouchDB uses underneath) keeps the two paths independent.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const nodeFetch = require('node-fetch') as (url: unknown, init: unknown) => Promise<Response>;

const USER = 'alice';
const SEED_BATCH = 1_000;
const TARGET_NOW = 1.1;
const TARGET_LATER = 1.05;

type Path = 'proxy' | 'direct';

interface RunResult {
  round: number;
  path: Path;
  seconds: number;
  docsPerSecond: number;
  docsWritten: number;
  requests: number;
  /** CPU seconds spent by each process during the run (Linux only, else null). */
  cpu: CpuSeconds;
}

interface CpuSeconds {
  client: number;
  server: number | null;
  proxy: number | null;
}

interface RemoteSpec {
  url: string;
  header: [name: string, value: string];
  /** undefined: node-fetch's default, a new connection per request. */
  agent?: Agent;
}

function cpuSnapshot(pids: { server: number | null; proxy: number | null }): CpuSeconds {
  const own = process.cpuUsage();
  return { client: (own.user + own.system) / 1e6, server: cpuOfPid(pids.server), proxy: cpuOfPid(pids.proxy) };
}

function cpuDelta(before: CpuSeconds, after: CpuSeconds): CpuSeconds {
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : Number((b - a).toFixed(2)));
  return {
    client: Number((after.client - before.client).toFixed(2)),
    server: diff(before.server, after.server),
    proxy: diff(before.proxy, after.proxy),
  };
}

function options() {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      docs: { type: 'string', default: '10000' },
      rounds: { type: 'string', default: '5' },
      'proxy-auth': { type: 'string', default: 'basic' },
      'proxy-mode': { type: 'string', default: 'process' },
      'batch-size': { type: 'string', default: String(REPLICATION_BATCH_SIZE) },
      'no-keepalive': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'json-file': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: tsx bench/proxy-overhead.ts [--server pouchdb-server|couchdb] [--docs 10000] [--rounds 5] [--proxy-auth basic|cookie] [--proxy-mode process|in-process] [--batch-size 250] [--no-keepalive] [--json] [--json-file PATH]',
    );
    process.exit(0);
  }
  const positive = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${value}"`);
    return n;
  };
  const proxyAuth = values['proxy-auth'];
  if (proxyAuth !== 'basic' && proxyAuth !== 'cookie') throw new Error('--proxy-auth must be basic or cookie');
  const proxyMode = values['proxy-mode'];
  if (proxyMode !== 'process' && proxyMode !== 'in-process') throw new Error('--proxy-mode must be process or in-process');
  return {
    server: serverKind(values.server),
    docs: positive('docs', values.docs),
    rounds: positive('rounds', values.rounds),
    batchSize: positive('batch-size', values['batch-size']),
    proxyAuth: proxyAuth as 'basic' | 'cookie',
    proxyMode: proxyMode as 'process' | 'in-process',
    keepAlive: !values['no-keepalive'],
    json: values.json,
    jsonFile: values['json-file'],
  };
}

/** A valid inspection (domain/doc-rules.ts) of a realistic size, about 1.3 kB. */
function seedDoc(i: number): Inspection {
  const now = new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();
  const results: ChecklistItem['result'][] = ['pass', 'fail', 'na', null];
  const checklist: ChecklistItem[] = Array.from({ length: 8 }, (_, k) => ({
    id: `item-${k + 1}`,
    label: `Checklist item ${k + 1}: fire exits, signage and extinguishers`,
    result: results[(i + k) % results.length],
    ...(k % 3 === 0 ? { note: 'Checked with the site manager present.' } : {}),
  }));
  return inspection(USER, {
    title: `Routine inspection #${i + 1}`,
    site: `Site ${(i % 97) + 1}, Industrial Park North`,
    status: i % 2 ? 'submitted' : 'draft',
    scheduledFor: new Date(Date.UTC(2025, 0, 1) + (i % 365) * 86_400_000).toISOString().slice(0, 10),
    checklist,
    notes: 'Access via the north gate. Bring the ladder key.',
    createdAt: now,
    updatedAt: now,
    deviceId: 'bench-seed',
  }) as Inspection;
}

async function seed(stack: BenchStack, dbName: string, count: number): Promise<{ seconds: number; bytesPerDoc: number }> {
  const db = stack.admin.use<Inspection>(dbName);
  const started = performance.now();
  let bytes = 0;
  for (let offset = 0; offset < count; offset += SEED_BATCH) {
    const docs = Array.from({ length: Math.min(SEED_BATCH, count - offset) }, (_, k) => seedDoc(offset + k));
    bytes += docs.reduce((sum, doc) => sum + JSON.stringify(doc).length, 0);
    const results = await db.bulk({ docs });
    const failed = results.filter((result) => result.error);
    if (failed.length) throw new Error(`seeding failed for ${failed.length} docs, e.g. ${JSON.stringify(failed[0])}`);
  }
  return { seconds: (performance.now() - started) / 1000, bytesPerDoc: Math.round(bytes / count) };
}

/** The proxy in its own process; resolves with its URL once it listens. */
async function spawnProxy(couchAdminUrl: string): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  // BENCH_PROXY_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to profile the proxy.
  const nodeArgs = (process.env['BENCH_PROXY_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  // tsx by absolute URL: a bare `--import tsx` resolves against the cwd, which may be anywhere.
  const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
  const child = spawn(process.execPath, [...nodeArgs, '--import', tsxLoader, join(__dirname, 'proxy-process.ts')], {
    env: { ...process.env, COUCH_URL: couchAdminUrl, PORT: '0', LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Its log (info level, as in production: 4xx and 5xx only) is kept, not shown, unless it dies.
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the proxy process exited with code ${code} before listening:\n${stderr}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  child.removeAllListeners('exit');
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`proxy process exited (code ${code}, signal ${signal}); last log:\n${stderr}`);
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}

let localCounter = 0;

/** One pull replication into a brand-new in-memory database; the remote handle is new too. */
async function replicateOnce(
  remote: RemoteSpec,
  batchSize: number,
  pids: { server: number | null; proxy: number | null },
): Promise<{ seconds: number; docsWritten: number; requests: number; cpu: CpuSeconds }> {
  let requests = 0;
  const [headerName, headerValue] = remote.header;
  const source = new PouchDB(remote.url, {
    skip_setup: true,
    fetch: (url, init) => {
      requests++;
      const request = (init ?? {}) as { headers: { set(name: string, value: string): void }; agent?: Agent };
      request.headers.set(headerName, headerValue);
      if (remote.agent) request.agent = remote.agent;
      return nodeFetch(url, request);
    },
  });
  const target = new PouchDB(`bench-${process.pid}-${++localCounter}`, { adapter: 'memory' });
  try {
    const cpuBefore = cpuSnapshot(pids);
    const started = performance.now();
    const result = await PouchDB.replicate(source, target, { batch_size: batchSize });
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuDelta(cpuBefore, cpuSnapshot(pids));
    if (result.status !== 'complete' || result.errors.length) {
      throw new Error(
        `replication from ${remote.url} ended ${result.status} with ${result.errors.length} errors: ${JSON.stringify(result.errors[0])}`,
      );
    }
    return { seconds, docsWritten: result.docs_written, requests, cpu };
  } finally {
    await target.destroy();
    await source.close();
  }
}

async function main(): Promise<void> {
  const opts = options();
  const log = (message: string) => console.log(message);
  const dbName = userDbName(USER);

  log(
    `proxy-overhead: ${opts.docs} docs, ${opts.rounds} rounds, proxy auth ${opts.proxyAuth}, proxy in ${opts.proxyMode === 'process' ? 'its own process' : 'this process'}, batch_size ${opts.batchSize}, ${opts.keepAlive ? 'keep-alive connections' : 'a new connection per request'}`,
  );
  log(
    `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${loadavg()[0].toFixed(2)}`,
  );
  if (loadavg()[0] > cpus().length * 0.5)
    log('warning: the machine is already busy; wall times (and the ratio) will be noisy. CPU seconds per process are more robust.');

  const stack = await startBenchStack({ kind: opts.server, users: { [USER]: 'inspector' }, password: TEST_PASSWORD });
  let proxyProcess: Awaited<ReturnType<typeof spawnProxy>> | null = null;
  try {
    log(`server: ${stack.serverLabel} at ${stack.server.url}; the direct baseline reads the same server`);
    const seeded = await seed(stack, dbName, opts.docs);
    const info = (await stack.admin.db.get(dbName)) as { doc_count: number; update_seq: number | string };
    log(
      `seeded ${opts.docs} docs (~${seeded.bytesPerDoc} B of JSON each) in ${fmt(seeded.seconds, 1)} s; ${info.doc_count} docs in ${dbName} including design docs`,
    );
    if (stack.server.kind === 'couchdb')
      log(`CouchDB's background view indexing of the seeded docs finished in ${fmt(await settleIndexes(stack, dbName), 1)} s (unmeasured)`);

    proxyProcess = opts.proxyMode === 'process' ? await spawnProxy(stack.server.adminUrl) : null;
    const proxyUrl = proxyProcess?.url ?? stack.proxy.url;
    const proxyHeader: RemoteSpec['header'] =
      opts.proxyAuth === 'cookie' ? ['cookie', await loginCookie(proxyUrl, USER)] : ['authorization', basicAuth(USER)];
    // One client connection pool per path, like one browser talking to one origin. Both servers
    // close a connection idle for 5 s; the pool closes first, as the proxy's own pools do, so no
    // round meets a socket being closed under it.
    const agent = () => (opts.keepAlive ? new IdleClosingAgent({ keepAlive: true, maxSockets: 16 }) : undefined);
    const remotes: Record<Path, RemoteSpec> = {
      proxy: { url: `${proxyUrl}/db/${dbName}`, header: proxyHeader, agent: agent() },
      direct: { url: `${stack.server.url}/${dbName}`, header: ['authorization', basicAuth(USER)], agent: agent() },
    };

    // Unmeasured warm-up: JIT, connection pools, the proxy's auth caches, the server's storage.
    const pids = { server: stack.serverPid, proxy: proxyProcess?.child.pid ?? null };
    for (const path of ['proxy', 'direct'] as const) await replicateOnce(remotes[path], opts.batchSize, pids);

    // Writes the proxy makes to its session store while forwarding (cookie renewals, expiry).
    const sessionSeq = async () => seqNumber((await stack.admin.db.get(SESSIONS_DB)).update_seq);
    const sessionSeqBefore = await sessionSeq();

    const runs: RunResult[] = [];
    log('');
    const cpuHeader = opts.proxyMode === 'process' ? '  cpu s: client server proxy' : '  cpu s: client+proxy server';
    log(`round  order  path    seconds   docs/s  requests${cpuHeader}`);
    for (let round = 1; round <= opts.rounds; round++) {
      const order: Path[] = round % 2 ? ['proxy', 'direct'] : ['direct', 'proxy'];
      for (const path of order) {
        const run = await replicateOnce(remotes[path], opts.batchSize, pids);
        if (run.docsWritten !== info.doc_count) {
          throw new Error(`${path} replication wrote ${run.docsWritten} docs, expected ${info.doc_count}`);
        }
        const result: RunResult = {
          round,
          path,
          seconds: run.seconds,
          docsPerSecond: run.docsWritten / run.seconds,
          docsWritten: run.docsWritten,
          requests: run.requests,
          cpu: run.cpu,
        };
        runs.push(result);
        const cpuCell = (value: number | null, width: number) => (value === null ? '-' : fmt(value)).padStart(width);
        const cpuCells =
          cpuCell(run.cpu.client, 15) + cpuCell(run.cpu.server, 7) + (opts.proxyMode === 'process' ? cpuCell(run.cpu.proxy, 6) : '');
        log(
          `${String(round).padStart(5)}  ${order.map((p) => p[0].toUpperCase()).join('')}     ${path.padEnd(6)} ${fmt(result.seconds).padStart(8)} ${fmt(result.docsPerSecond, 0).padStart(8)} ${String(run.requests).padStart(9)}${cpuCells}`,
        );
      }
    }

    const sessionWrites = (await sessionSeq()) - sessionSeqBefore;
    const of = (path: Path) => runs.filter((run) => run.path === path);
    const medianCpu = (path: Path): CpuSeconds => {
      const pick = (key: keyof CpuSeconds) => {
        const values = of(path).map((run) => run.cpu[key]);
        return values.some((value) => value === null) ? null : Number(median(values as number[]).toFixed(2));
      };
      return { client: pick('client')!, server: pick('server'), proxy: pick('proxy') };
    };
    const ratios = Array.from({ length: opts.rounds }, (_, i) => {
      const round = i + 1;
      const proxy = runs.find((run) => run.round === round && run.path === 'proxy')!;
      const direct = runs.find((run) => run.round === round && run.path === 'direct')!;
      return proxy.seconds / direct.seconds;
    });
    const summary = {
      benchmark: 'proxy-overhead',
      at: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? null,
        memGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        platform: process.platform,
        loadAverageAtEnd: loadavg().map((load) => Number(load.toFixed(2))),
      },
      server: stack.serverLabel,
      serverKind: opts.server,
      serverVersion: stack.serverVersion,
      docs: opts.docs,
      docsReplicated: info.doc_count,
      bytesPerDoc: seeded.bytesPerDoc,
      rounds: opts.rounds,
      batchSize: opts.batchSize,
      keepAlive: opts.keepAlive,
      proxyAuth: opts.proxyAuth,
      proxyMode: opts.proxyMode,
      perRoundRatios: ratios.map((ratio) => Number(ratio.toFixed(4))),
      medianRatio: Number(median(ratios).toFixed(4)),
      proxy: {
        medianSeconds: Number(median(of('proxy').map((run) => run.seconds)).toFixed(3)),
        medianDocsPerSecond: Math.round(median(of('proxy').map((run) => run.docsPerSecond))),
        requestsPerRun: median(of('proxy').map((run) => run.requests)),
        medianCpuSeconds: medianCpu('proxy'),
      },
      direct: {
        medianSeconds: Number(median(of('direct').map((run) => run.seconds)).toFixed(3)),
        medianDocsPerSecond: Math.round(median(of('direct').map((run) => run.docsPerSecond))),
        requestsPerRun: median(of('direct').map((run) => run.requests)),
        medianCpuSeconds: medianCpu('direct'),
      },
      cpuEstimatedRatio: null as number | null,
      sessionStoreWritesPerProxyRun: Number((sessionWrites / opts.rounds).toFixed(1)),
      targets: { now: TARGET_NOW, later: TARGET_LATER },
      meetsTargetNow: median(ratios) <= TARGET_NOW,
      meetsTargetLater: median(ratios) <= TARGET_LATER,
      runs: runs.map((run) => ({ ...run, seconds: Number(run.seconds.toFixed(3)), docsPerSecond: Math.round(run.docsPerSecond) })),
    };

    if (summary.proxy.medianCpuSeconds.proxy !== null) {
      summary.cpuEstimatedRatio = Number((1 + summary.proxy.medianCpuSeconds.proxy / summary.direct.medianSeconds).toFixed(4));
    }
    const perRequestMs = ((summary.proxy.medianSeconds - summary.direct.medianSeconds) * 1000) / summary.proxy.requestsPerRun;
    log('');
    log(`per-round ratio proxy/direct: ${ratios.map((ratio) => fmt(ratio, 3)).join('  ')}`);
    log(
      `median: proxy ${fmt(summary.proxy.medianSeconds)} s (${summary.proxy.medianDocsPerSecond} docs/s), direct ${fmt(summary.direct.medianSeconds)} s (${summary.direct.medianDocsPerSecond} docs/s)`,
    );
    const proxyCpu = summary.proxy.medianCpuSeconds.proxy;
    if (proxyCpu !== null) {
      log(
        `proxy process CPU: ${fmt(proxyCpu)} s per replication = ${fmt((proxyCpu * 1000) / summary.proxy.requestsPerRun, 2)} ms per request (${opts.docs} docs in ${summary.proxy.requestsPerRun} requests)`,
      );
      // A pull replication is a chain of mostly sequential requests, so the proxy's own work
      // lands on the critical path: this estimate holds up when other load makes wall times noisy.
      log(`CPU-based estimate of the ratio (1 + proxy CPU / median direct time): ${fmt(summary.cpuEstimatedRatio ?? 0, 3)}`);
    }
    log(
      `writes to ${SESSIONS_DB} during the measured runs: ${sessionWrites} (${summary.sessionStoreWritesPerProxyRun} per proxied replication)`,
    );
    log(
      `added wall time per proxied request (median proxy minus median direct, noisy under load): ~${fmt(perRequestMs, 2)} ms over ${summary.proxy.requestsPerRun} requests per replication`,
    );
    log(
      `MEDIAN RATIO proxy/direct on ${stack.serverLabel} = ${fmt(summary.medianRatio, 3)}  target <= ${TARGET_NOW}: ${summary.meetsTargetNow ? 'met' : 'MISSED'}; later target <= ${TARGET_LATER}: ${summary.meetsTargetLater ? 'met' : 'missed'}`,
    );
    log(
      `load average at the end: ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')} (1, 5, 15 min)`,
    );
    if (opts.jsonFile) {
      writeFileSync(opts.jsonFile, JSON.stringify(summary, null, 2) + '\n');
      log(`summary written to ${opts.jsonFile}`);
    }
    if (opts.json) console.log(JSON.stringify(summary));
  } finally {
    await proxyProcess?.stop();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
