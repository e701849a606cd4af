/**
 * Sync speed in a real browser (headless Debian Chromium, IndexedDB) through the proxy.
 *
 * Starts its own stack (a database server, the embedded PouchDB Server or with --server couchdb
 * a real CouchDB 3.4, + the proxy serving the built PWA, temp data dir, free ports on
 * 127.0.0.1), seeds N valid inspection docs into a user's database as admin (nano bulk), then
 * measures:
 *
 *  (a)  initial pull: server -> fresh browser PouchDB through the proxy, the app's way
 *       (initialPull, then PouchDB's replicator with the app's options). Target: N=10,000 in <= 10 s.
 *       Baselines, same run and server: the same pull directly from the server (a page of the
 *       server's own origin, logged in with its
 *       own /_session, no proxy), PouchDB's replicator alone through the
 *       proxy, and the N docs replicated browser-local -> fresh browser-local (the IndexedDB
 *       cost alone, no network, no server).
 *  (a') the same pull as the app itself does it on first login: from "Sign in" to all N
 *       docs in its database and the sync indicator "up to date" (informational).
 *  (b)  reconnect: the app with 100 writes queued offline (100 separate puts into its
 *       database); time from going online (context.setOffline(false)) until the server
 *       holds all 100 (polled as admin every ~10 ms). Target <= 2 s.
 *       Baseline, same run: 100 writes (one bulkDocs) with the network already up, until
 *       the server holds all 100.
 *
 * (a) runs on a blank page of the proxy's origin (PouchDB 9's browser build, the same
 * version and IndexedDB adapter as the app's pouchdb-browser) so the app's own work (the
 * list re-querying as docs arrive) stays out of it; (a') is that work included.
 *
 * A benchmark reports; it does not assert: the exit code is 0 whatever the figures.
 *
 *   npx tsx bench/browser-sync.ts [--server pouchdb-server|couchdb] [--docs 10000] [--writes 100] [--rounds 3] [--pull-rounds 1]
 *     [--app-pull-cap 30] [--adapter idb|indexeddb] [--batch-size N] [--app-dir dist/fieldbook-e2e/browser]
 *     [--no-app-pull] [--cpu-profile DIR] [--json]
 *
 * --server       the database server (default FIELDBOOK_TEST_SERVER, as in the tests, else pouchdb-server).
 * --rounds       rounds of (b) and its baseline (alternating); medians are reported.
 * --pull-rounds  rounds of (a) and its baselines (each ~3x the pull time); the proxy and direct
 *                pulls alternate which goes first.
 * --app-pull-cap seconds to let (a') run; if the app is not done by then, its rate so far is reported.
 * --adapter      PouchDB adapter for (a): idb (what the app uses) or the newer indexeddb.
 * --batch-size   replication batch size for (a) (default: the app's REPLICATION_BATCH_SIZE).
 * --cpu-profile  writes the page's JavaScript CPU profile of (a) and of (a') to DIR
 *                (pull.cpuprofile, app-pull.cpuprofile; open them in Chrome DevTools).
 *
 * Needs the e2e build of the app (`npx ng build -c production,e2e`: the production build plus
 * window.fieldbookDb, which this reads; or --app-dir to another such build) and Chromium
 * (CHROME_BIN, default /usr/bin/chromium).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { buildSync } from 'esbuild';
import type { CouchAdmin } from '../couch/couch-admin';
import { userDbName } from '../domain/user-db-name';
import { E2E_APP_DIR } from '../e2e/support/e2e-env';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/support/chromium';
import { INITIAL_PULL_BATCH_SIZE, REPLICATION_BATCH_SIZE } from '../src/app/core/replication-options';
import { inspection } from '../test/fixtures/documents';
import { serverKind, settleIndexes, startBenchStack, type BenchStack } from './bench-stack';
import { fmt, median } from './stats';

const PASSWORD = 'bench-password-1';
const PULL_USER = 'bench-reader';
const WRITE_USER = 'bench-writer';
const SEED_BATCH = 1_000;
const TARGET_PULL_S = 10;
const TARGET_RECONNECT_S = 2;
const POUCHDB_DIST = resolve(__dirname, '..', 'node_modules', 'pouchdb', 'dist');
const INITIAL_PULL_SOURCE = resolve(__dirname, '..', 'src', 'app', 'core', 'initial-pull.ts');
// tsx (esbuild, keepNames) wraps named functions in `__name(...)`; functions handed to
// page.evaluate run in the page, which needs the helper too.
const NAME_HELPER = 'globalThis.__name = globalThis.__name || ((fn) => fn);';

function options() {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      docs: { type: 'string', default: '10000' },
      writes: { type: 'string', default: '100' },
      rounds: { type: 'string', default: '3' },
      'pull-rounds': { type: 'string', default: '1' },
      'app-pull-cap': { type: 'string', default: '30' },
      adapter: { type: 'string', default: 'idb' },
      'batch-size': { type: 'string' },
      'app-dir': { type: 'string', default: E2E_APP_DIR },
      'no-app-pull': { type: 'boolean', default: false },
      'cpu-profile': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: tsx bench/browser-sync.ts [--server pouchdb-server|couchdb] [--docs 10000] [--writes 100] [--rounds 3] [--pull-rounds 1] [--app-pull-cap 30]\n' +
        '         [--adapter idb|indexeddb] [--batch-size N] [--app-dir DIR] [--no-app-pull] [--cpu-profile DIR] [--json]',
    );
    process.exit(0);
  }
  return {
    server: serverKind(values.server),
    docs: Number(values.docs),
    writes: Number(values.writes),
    rounds: Math.max(1, Number(values.rounds)),
    pullRounds: Math.max(1, Number(values['pull-rounds'])),
    appPullCapMs: Number(values['app-pull-cap']) * 1000,
    adapter: values.adapter === 'indexeddb' ? ('indexeddb' as const) : ('idb' as const),
    batchSize: values['batch-size'] ? Number(values['batch-size']) : REPLICATION_BATCH_SIZE,
    appDir: resolve(values['app-dir']),
    appPull: !values['no-app-pull'],
    profileDir: values['cpu-profile'] ? resolve(values['cpu-profile']) : null,
    json: values.json,
  };
}

function benchInspection(user: string, i: number): Record<string, unknown> {
  const at = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  return inspection(user, {
    title: `Inspection ${i}`,
    site: `Site ${i % 37}`,
    scheduledFor: at.slice(0, 10),
    checklist: [
      'Access and escape routes clear',
      'Fire extinguishers present and in date',
      'Electrical panels closed and labelled',
      'Personal protective equipment in use',
    ].map((label, n) => ({ id: `item-${n}`, label, result: n % 2 ? 'pass' : null })),
    createdAt: at,
    updatedAt: at,
    deviceId: 'device-bench',
  });
}

async function seed(admin: CouchAdmin, user: string, count: number): Promise<number> {
  const db = admin.use(userDbName(user));
  const started = performance.now();
  for (let offset = 0; offset < count; offset += SEED_BATCH) {
    const docs = Array.from({ length: Math.min(SEED_BATCH, count - offset) }, (_, i) => benchInspection(user, offset + i));
    const results = await db.bulk({ docs });
    const failed = results.filter((result) => result.error);
    if (failed.length) throw new Error(`seeding failed: ${JSON.stringify(failed[0])}`);
  }
  return (performance.now() - started) / 1000;
}

/**
 * Reads the user's database once as a pull would (changes, then the documents), so the
 * rounds meet a server in service rather than a process that has just started: its code
 * compiled by the JIT, its storage read once. Returns the seconds it took.
 */
async function warmServer(admin: CouchAdmin, user: string): Promise<number> {
  const db = admin.use(userDbName(user));
  const started = performance.now();
  let since: number | string = 0;
  for (;;) {
    const { results, last_seq: next }: { results: { id: string }[]; last_seq: number | string } = await db.changes({
      since,
      limit: SEED_BATCH,
      style: 'all_docs',
    });
    if (!results.length) return (performance.now() - started) / 1000;
    await db.fetch({ keys: results.map((change) => change.id) });
    since = next;
  }
}

/** The app's initial-pull module for the bench page, which has PouchDB's browser build but not the app. */
function initialPullScript(): string {
  const { outputFiles } = buildSync({
    entryPoints: [INITIAL_PULL_SOURCE],
    bundle: true,
    format: 'iife',
    globalName: 'FieldbookInitialPull',
    target: 'es2022',
    write: false,
  });
  return outputFiles[0].text;
}

/**
 * A blank page of `origin` with PouchDB's browser build (served by the browser itself, so the
 * origin may be the database server's), logged in as `user` at `sessionPath`: the proxy's
 * `/api/session`, or the server's own `/_session` (its AuthSession cookie, what the proxy
 * sends the server on the user's behalf).
 */
async function benchPage(context: BrowserContext, origin: string, user: string, sessionPath: '/api/session' | '/_session'): Promise<Page> {
  await context.addInitScript(NAME_HELPER);
  const scripts = ['pouchdb.min.js', 'pouchdb.indexeddb.min.js', 'initial-pull.js'];
  await context.route(`${origin}/bench/page.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>bench</title>${scripts.map((file) => `<script src="/bench/${file}"></script>`).join('')}`,
    }),
  );
  for (const file of scripts.slice(0, 2)) {
    await context.route(`${origin}/bench/${file}`, (route) =>
      route.fulfill({ contentType: 'text/javascript', path: join(POUCHDB_DIST, file) }),
    );
  }
  const initialPull = initialPullScript();
  await context.route(`${origin}/bench/initial-pull.js`, (route) => route.fulfill({ contentType: 'text/javascript', body: initialPull }));
  const page = await context.newPage();
  await page.goto(`${origin}/bench/page.html`);
  const status = await page.evaluate(
    async ([name, password, path]) =>
      (await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) }))
        .status,
    [user, PASSWORD, sessionPath] as const,
  );
  if (status !== 200) throw new Error(`bench page login at ${origin}${sessionPath} failed: ${status}`);
  return page;
}

/** Runs `work` with the page's JavaScript CPU profiler on when `file` is given, and writes the profile there. */
async function profiled<T>(page: Page, file: string | null, work: () => Promise<T>): Promise<T> {
  if (!file) return work();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await cdp.send('Profiler.stop');
    mkdirSync(resolve(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(profile));
    await cdp.detach();
  }
}

interface PullResult {
  /** The app's way: initialPull (src/app/core/initial-pull.ts), then PouchDB's replicator from where it got to. */
  appSeconds: number;
  /** PouchDB's replicator alone, with the app's options (null: not run). */
  replicatorSeconds: number | null;
  /** IndexedDB alone: the pulled database copied into a fresh one in the same page (null: not run). */
  localSeconds: number | null;
  docs: number[];
}

/**
 * (a): server -> fresh IndexedDB from `remotePath` of the page's origin (`/db/<userdb>` through
 * the proxy, or `/<userdb>` on the server's own origin), the app's way; with
 * `baselines`, then PouchDB's replicator alone and a local copy.
 */
async function pullRound(
  page: Page,
  remotePath: string,
  round: number,
  adapter: 'idb' | 'indexeddb',
  batchSize: number,
  baselines: boolean,
): Promise<PullResult> {
  return page.evaluate(
    async ({ remotePath, round, adapter, batchSize, initialPullBatchSize, baselines }) => {
      type Db = PouchDB.Database;
      const PouchDB = (window as unknown as { PouchDB: new (name: string, options?: object) => Db }).PouchDB;
      const { initialPull } = (window as unknown as { FieldbookInitialPull: typeof import('../src/app/core/initial-pull') })
        .FieldbookInitialPull;
      const remoteDb = new PouchDB(`${location.origin}${remotePath}`, { skip_setup: true });
      // As the app opens its database and pulls: no filter, the app's batch size.
      const replication = { batch_size: batchSize };
      const fresh = (name: string) => new PouchDB(`bench-${name}-${round}`, { adapter, auto_compaction: true });
      // The pull brings the server's design docs too (inert in the browser); count the data.
      const dataDocs = async (db: Db) =>
        (await db.info()).doc_count - (await db.allDocs({ startkey: '_design/', endkey: '_design/\uffff' })).rows.length;
      const timed = async (work: () => Promise<unknown>) => {
        const started = performance.now();
        await work();
        return (performance.now() - started) / 1000;
      };

      const app = fresh('app');
      const appSeconds = await timed(async () => {
        const since = await initialPull(app as PouchDB.Database<object>, remoteDb as PouchDB.Database<object>, {
          batchSize: initialPullBatchSize,
        });
        await app.replicate.from(remoteDb, { ...replication, since } as object);
      });
      const docs = [await dataDocs(app)];
      await app.destroy();
      if (!baselines) return { appSeconds, replicatorSeconds: null, localSeconds: null, docs };
      const replicated = fresh('replicator');
      const replicatorSeconds = await timed(() => replicated.replicate.from(remoteDb, replication as object));
      const copy = new PouchDB(`bench-copy-${round}`, { adapter });
      const localSeconds = await timed(() => replicated.replicate.to(copy, replication as object));
      docs.push(await dataDocs(replicated), await dataDocs(copy));
      for (const db of [replicated, copy]) await db.destroy();
      return { appSeconds, replicatorSeconds, localSeconds, docs };
    },
    { remotePath, round, adapter, batchSize, initialPullBatchSize: INITIAL_PULL_BATCH_SIZE, baselines },
  );
}

async function logInToApp(page: Page, origin: string, user: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await page.getByTestId('login-name').fill(user);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-submit').click();
}

async function syncState(page: Page): Promise<string | null> {
  return page
    .getByTestId('sync-state')
    .getAttribute('data-state', { timeout: 1_000 })
    .catch(() => null);
}

/** (a'): the app's first login on a fresh browser, until all docs are local and it says "up to date". */
async function appPull(
  browser: Browser,
  origin: string,
  expected: number,
  capMs: number,
  profileFile: string | null,
): Promise<{ seconds: number; docs: number; done: boolean }> {
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 800 } });
  await context.addInitScript(NAME_HELPER);
  try {
    const page = await context.newPage();
    return await profiled(page, profileFile, () => appPullOn(page, origin, expected, capMs));
  } finally {
    await context.close();
  }
}

async function appPullOn(
  page: Page,
  origin: string,
  expected: number,
  capMs: number,
): Promise<{ seconds: number; docs: number; done: boolean }> {
  const started = performance.now();
  await logInToApp(page, origin, PULL_USER);
  const deadline = started + capMs;
  let docs = 0;
  while (performance.now() < deadline) {
    // doc_count, not a read of every row: the poll must not compete with the sync it measures.
    docs = await page.evaluate(async () => {
      const db = (window as unknown as { fieldbookDb?: PouchDB.Database }).fieldbookDb;
      return db ? (await db.info()).doc_count : 0;
    });
    if (docs >= expected && (await syncState(page)) === 'paused') {
      const inspections = await page.evaluate(async () => {
        const { rows } = await window.fieldbookDb!.allDocs({ startkey: 'inspection:', endkey: 'inspection:\uffff' });
        return rows.length;
      });
      if (inspections >= expected) return { seconds: (performance.now() - started) / 1000, docs: inspections, done: true };
    }
    await page.waitForTimeout(100);
  }
  return { seconds: (performance.now() - started) / 1000, docs, done: false };
}

interface WriteResult {
  onlineSeconds: number;
  reconnectSeconds: number;
}

/** Polls the server (as admin, directly) until it holds every id; seconds since `started`. */
async function untilOnServer(admin: CouchAdmin, user: string, ids: string[], started: number, timeoutMs = 60_000): Promise<number> {
  const db = admin.use(userDbName(user));
  for (;;) {
    const { rows } = await db.fetchRevs({ keys: ids });
    if (rows.every((row) => 'value' in row && row.value && !(row.value as { deleted?: boolean }).deleted)) {
      return (performance.now() - started) / 1000;
    }
    if (performance.now() - started > timeoutMs) throw new Error(`the server did not get ${ids.length} docs within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 10));
  }
}

async function writeDocs(page: Page, docs: Record<string, unknown>[], oneByOne: boolean): Promise<void> {
  await page.evaluate(
    async ({ docs, oneByOne }) => {
      const db = (window as unknown as { fieldbookDb: PouchDB.Database }).fieldbookDb;
      if (oneByOne) for (const doc of docs) await db.put(doc);
      else await db.bulkDocs(docs);
    },
    { docs, oneByOne },
  );
}

async function waitForState(page: Page, state: string, timeoutMs = 30_000): Promise<void> {
  await page.waitForSelector(`[data-testid="sync-state"][data-state="${state}"]`, { timeout: timeoutMs });
}

/** (b) and its baseline, `rounds` times, alternating. */
async function writeRounds(
  browser: Browser,
  stack: BenchStack,
  writes: number,
  rounds: number,
): Promise<{ results: WriteResult[]; serviceWorker: boolean }> {
  const origin = stack.proxy.url;
  const context = await browser.newContext({ serviceWorkers: 'allow', viewport: { width: 1280, height: 800 } });
  await context.addInitScript(NAME_HELPER);
  const page = await context.newPage();
  await logInToApp(page, origin, WRITE_USER);
  await waitForState(page, 'paused');
  // As on a tablet: the service worker controls the page (it passes /db requests through).
  const serviceWorker = await page
    .evaluate(() =>
      Promise.race([
        navigator.serviceWorker.ready.then(() =>
          navigator.serviceWorker.controller
            ? true
            : new Promise<boolean>((done) =>
                navigator.serviceWorker.addEventListener('controllerchange', () => done(true), { once: true }),
              ),
        ),
        new Promise<boolean>((done) => setTimeout(() => done(false), 35_000)),
      ]),
    )
    .catch(() => false);
  let written = 0;
  const batch = () => Array.from({ length: writes }, () => benchInspection(WRITE_USER, written++));
  const results: WriteResult[] = [];
  for (let round = 0; round < rounds; round++) {
    // Baseline: network up, 100 writes at once.
    await waitForState(page, 'paused');
    const online = batch();
    let started = performance.now();
    await writeDocs(page, online, false);
    const onlineSeconds = await untilOnServer(
      stack.admin,
      WRITE_USER,
      online.map((doc) => doc['_id'] as string),
      started,
    );
    await waitForState(page, 'paused');

    // Offline: 100 separate writes queue up locally; then back online.
    await context.setOffline(true);
    await waitForState(page, 'offline');
    const queued = batch();
    await writeDocs(page, queued, true);
    await page.waitForTimeout(1_500);
    const early = await stack.admin.use(userDbName(WRITE_USER)).fetchRevs({ keys: [queued[0]['_id'] as string] });
    if ('value' in early.rows[0] && early.rows[0].value) throw new Error('a queued write reached the server while offline');
    started = performance.now();
    await context.setOffline(false);
    const reconnectSeconds = await untilOnServer(
      stack.admin,
      WRITE_USER,
      queued.map((doc) => doc['_id'] as string),
      started,
    );
    results.push({ onlineSeconds, reconnectSeconds });
  }
  await context.close();
  return { results, serviceWorker };
}

async function main() {
  const opts = options();
  if (!existsSync(join(opts.appDir, 'index.html'))) {
    console.error(`No built app in ${opts.appDir}: run "npx ng build -c production,e2e" (or pass --app-dir).`);
    process.exit(1);
  }
  const benchStarted = performance.now();
  console.log(
    `browser-sync bench: ${opts.docs} docs to pull, ${opts.writes} queued writes, ${opts.rounds} round(s); ${cpus().length} CPUs, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const stack = await startBenchStack({
    kind: opts.server,
    users: { [PULL_USER]: 'inspector', [WRITE_USER]: 'inspector' },
    password: PASSWORD,
    staticDir: opts.appDir,
  });
  let browser: Browser | null = null;
  try {
    console.log(`server: ${stack.serverLabel} at ${stack.server.url}; the direct baseline pulls from it without the proxy`);
    const seedSeconds = await seed(stack.admin, PULL_USER, opts.docs);
    console.log(`seeded ${opts.docs} inspections as admin in ${fmt(seedSeconds)} s; proxy at ${stack.proxy.url}`);
    if (stack.server.kind === 'couchdb')
      console.log(
        `CouchDB's background view indexing of the seeded docs finished in ${fmt(await settleIndexes(stack, userDbName(PULL_USER)), 1)} s (unmeasured)`,
      );
    console.log(
      `server warm-up: every change and document read once as admin in ${fmt(await warmServer(stack.admin, PULL_USER))} s (unmeasured)`,
    );
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });

    // (a) initial pull through the proxy vs directly from the server, PouchDB's replicator, a local copy.
    const pullContext = await browser.newContext({ serviceWorkers: 'block' });
    const page = await benchPage(pullContext, stack.proxy.url, PULL_USER, '/api/session');
    const directContext = await browser.newContext({ serviceWorkers: 'block' });
    const directPage = await benchPage(directContext, stack.server.url, PULL_USER, '/_session');
    const pulls: PullResult[] = [];
    const directPulls: PullResult[] = [];
    const rate = (seconds: number | null) => `${fmt(seconds ?? NaN)} s (${Math.round(opts.docs / (seconds ?? NaN))} docs/s)`;
    for (let round = 0; round < opts.pullRounds; round++) {
      const profile = round === 0 && opts.profileDir ? join(opts.profileDir, 'pull.cpuprofile') : null;
      const viaProxy = () =>
        profiled(page, profile, () => pullRound(page, `/db/${userDbName(PULL_USER)}`, round, opts.adapter, opts.batchSize, true));
      const direct = () => pullRound(directPage, `/${userDbName(PULL_USER)}`, round, opts.adapter, opts.batchSize, false);
      // Alternate which goes first, so drift (a warming server, a busier machine) falls on both.
      let result: PullResult;
      let directResult: PullResult;
      if (round % 2 === 0) {
        result = await viaProxy();
        directResult = await direct();
      } else {
        directResult = await direct();
        result = await viaProxy();
      }
      const held = [...result.docs, ...directResult.docs];
      if (held.some((docs) => docs !== opts.docs))
        throw new Error(`the app's pull / the replicator / the copy / the direct pull hold ${held.join(' / ')} of ${opts.docs} docs`);
      pulls.push(result);
      directPulls.push(directResult);
      console.log(
        `(a) round ${round + 1}: the app's pull through the proxy ${rate(result.appSeconds)}; directly from the server ${rate(directResult.appSeconds)}; ` +
          `ratio ${fmt(result.appSeconds / directResult.appSeconds)}; PouchDB's replicator through the proxy ${rate(result.replicatorSeconds)}; local->local ${rate(result.localSeconds)}`,
      );
    }
    await directContext.close();
    await pullContext.close();

    // (a') the app's own first sync.
    let app: { seconds: number; docs: number; done: boolean } | null = null;
    if (opts.appPull) {
      app = await appPull(
        browser,
        stack.proxy.url,
        opts.docs,
        opts.appPullCapMs,
        opts.profileDir && join(opts.profileDir, 'app-pull.cpuprofile'),
      );
      console.log(
        app.done
          ? `(a') the app's first login: ${opts.docs} docs local and "up to date" after ${fmt(app.seconds)} s (${Math.round(opts.docs / app.seconds)} docs/s)`
          : `(a') the app's first login: ${app.docs} of ${opts.docs} docs local after ${fmt(app.seconds, 0)} s (${Math.round(app.docs / app.seconds)} docs/s; stopped at the cap)`,
      );
    }

    // (b) reconnect with queued writes vs writes with the network up.
    const { results: writes, serviceWorker } = await writeRounds(browser, stack, opts.writes, opts.rounds);
    for (const [i, result] of writes.entries()) {
      console.log(
        `(b) round ${i + 1}: online -> ${opts.writes} queued writes on the server ${fmt(result.reconnectSeconds)} s; ` +
          `baseline (network up) ${fmt(result.onlineSeconds)} s; ratio ${fmt(result.reconnectSeconds / result.onlineSeconds)}`,
      );
    }

    const pullSeconds = median(pulls.map((p) => p.appSeconds));
    const directSeconds = median(directPulls.map((p) => p.appSeconds));
    const replicatorSeconds = median(pulls.map((p) => p.replicatorSeconds!));
    const localSeconds = median(pulls.map((p) => p.localSeconds!));
    const reconnect = median(writes.map((w) => w.reconnectSeconds));
    const online = median(writes.map((w) => w.onlineSeconds));
    const summary = {
      server: stack.serverLabel,
      serverKind: opts.server,
      serverVersion: stack.serverVersion,
      docs: opts.docs,
      writes: opts.writes,
      pull: {
        adapter: opts.adapter,
        batchSize: opts.batchSize,
        seconds: pullSeconds,
        docsPerSecond: opts.docs / pullSeconds,
        pullRounds: opts.pullRounds,
        baselineDirectSeconds: directSeconds,
        ratioToDirect: pullSeconds / directSeconds,
        baselineReplicatorSeconds: replicatorSeconds,
        baselineLocalSeconds: localSeconds,
        ratioToReplicator: pullSeconds / replicatorSeconds,
        ratioToLocal: pullSeconds / localSeconds,
        targetSeconds: TARGET_PULL_S,
      },
      appFirstSync: app && { seconds: app.seconds, docs: app.docs, complete: app.done, docsPerSecond: app.docs / app.seconds },
      reconnect: {
        seconds: reconnect,
        baselineOnlineSeconds: online,
        ratio: reconnect / online,
        targetSeconds: TARGET_RECONNECT_S,
        serviceWorker,
      },
      totalSeconds: (performance.now() - benchStarted) / 1000,
    };
    console.log('');
    console.log('Summary (medians)');
    console.log(
      `  (a)  initial pull of ${opts.docs} docs from ${stack.serverLabel} through the proxy: ${fmt(pullSeconds)} s = ${Math.round(opts.docs / pullSeconds)} docs/s ` +
        `[target <= ${TARGET_PULL_S} s for 10,000: ${pullSeconds * (10_000 / opts.docs) <= TARGET_PULL_S ? 'met' : 'NOT met'}]`,
    );
    console.log(
      `       baseline the same pull directly from the server (no proxy): ${fmt(directSeconds)} s = ${Math.round(opts.docs / directSeconds)} docs/s; ratio proxy/direct ${fmt(pullSeconds / directSeconds)}`,
    );
    console.log(
      `       baseline PouchDB's replicator, same options: ${fmt(replicatorSeconds)} s = ${Math.round(opts.docs / replicatorSeconds)} docs/s; ratio app/replicator ${fmt(pullSeconds / replicatorSeconds)}`,
    );
    console.log(
      `       baseline local->local (IndexedDB alone): ${fmt(localSeconds)} s = ${Math.round(opts.docs / localSeconds)} docs/s; ratio app/local ${fmt(pullSeconds / localSeconds)}`,
    );
    if (app) {
      const appRate = app.docs / app.seconds;
      console.log(
        `  (a') the app's own first sync: ${Math.round(appRate)} docs/s${app.done ? ` (${fmt(app.seconds)} s)` : ` (${app.docs} docs in the ${fmt(app.seconds, 0)} s cap)`}; ` +
          `rate ratio (a)/(a') ${fmt(opts.docs / pullSeconds / appRate)}`,
      );
    }
    console.log(
      `  (b)  online -> ${opts.writes} queued writes acknowledged: ${fmt(reconnect)} s [target <= ${TARGET_RECONNECT_S} s: ${reconnect <= TARGET_RECONNECT_S ? 'met' : 'NOT met'}]` +
        `${serviceWorker ? '' : ' (no service worker took control)'}`,
    );
    console.log(`       baseline, network already up: ${fmt(online)} s; ratio reconnect/baseline ${fmt(reconnect / online)}`);
    console.log(`  total bench time ${fmt(summary.totalSeconds, 0)} s`);
    if (opts.json) console.log(JSON.stringify(summary));
  } finally {
    await browser?.close();
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
