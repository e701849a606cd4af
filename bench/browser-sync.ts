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
 *       docs in its database and the sync indicator "up to date". Target: N=10,000 in <= 5 s.
 *       Also when the list showed its first row and when every doc was local. Ratio: to (a).
 *  (b)  reconnect: the app with 100 writes queued offline (100 separate puts into its
 *       database); time from going online (context.setOffline(false)) until the server
 *       holds all 100 (polled as admin every ~10 ms). Target <= 2 s.
 *       Baseline, same run: 100 writes (one bulkDocs) with the network already up, until
 *       the server holds all 100.
 *  (c)  with --tablet-docs N (e.g. 50000): a tablet holding N docs (seeded on the server,
 *       pulled by the app's first login, its background migration walk let finish), reloaded:
 *       milliseconds from the navigation to the list's first row (target <= 300 ms for 50,000),
 *       then an edit going up and a server change coming down. Baseline, same run: the same
 *       on the tablet of (a') holding --docs docs. *
 * Each (a') round and each direct pull of (a) also reports the CPU seconds each process spent
 * (Chromium's renderer, its browser process, which runs IndexedDB's backend, the server, this
 * process with the proxy): they hold up where wall times swing with the machine's load.
 *
 * (a) runs on a blank page of the proxy's origin (PouchDB 9's browser build, the same
 * version and IndexedDB adapter as the app's pouchdb-browser) so the app's own work (the
 * list re-querying as docs arrive) stays out of it; (a') is that work included.
 *
 * A benchmark reports; it does not assert: the exit code is 0 whatever the figures.
 *
 *   npx tsx bench/browser-sync.ts [--server pouchdb-server|couchdb] [--docs 10000] [--thumbnails 0] [--writes 100] [--rounds 3] [--pull-rounds 1]
 *     [--app-pull-cap 30] [--app-rounds 1] [--tablet-docs 0] [--tablet-cap 600] [--adapter indexeddb|idb] [--batch-size N]
 *     [--app-dir dist/fieldbook-e2e/browser] [--no-app-pull] [--with-indexes | --indexes-after] [--cpu-profile DIR] [--json]
 *
 * --server       the database server (default FIELDBOOK_TEST_SERVER, as in the tests, else pouchdb-server).
 * --thumbnails   of the --docs documents, this many are defects with a 12 KB thumbnail each (as photos leave them).
 * --rounds       rounds of (b) and its baseline (alternating); medians are reported.
 * --pull-rounds  rounds of (a) and its baselines (each ~3x the pull time); the proxy and direct
 *                pulls alternate which goes first.
 * --app-pull-cap seconds to let (a') run; if the app is not done by then, its rate so far is reported.
 * --app-rounds   rounds of (a'), each in a fresh browser context; medians are reported.
 * --tablet-docs  docs of the tablet in (c); 0 (the default) skips (c). --tablet-cap: seconds its first login may take.
 * --adapter      PouchDB adapter for (a): indexeddb (what the app uses) or the older idb.
 * --batch-size   replication batch size for (a) (default: the app's REPLICATION_BATCH_SIZE).
 * --with-indexes (a) pulls into databases with the app's Mango indexes (IndexedDB keeps them on every write).
 * --indexes-after (a) creates those indexes once the pull is done, within its time (IndexedDB builds each in one pass).
 * --cpu-profile  writes the page's JavaScript CPU profile of (a)'s first round and of (a')'s to DIR
 *                (pull.cpuprofile, app-pull.cpuprofile; open them in Chrome DevTools; build the app
 *                with --source-map to read them by source file).
 *
 * Needs the e2e build of the app (`npx ng build -c production,e2e`: the production build plus
 * window.fieldbookDb, which this reads; or --app-dir to another such build) and Chromium
 * (CHROME_BIN, default /usr/bin/chromium).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { buildSync } from 'esbuild';
import type { CouchAdmin } from '../couch/couch-admin';
import { MANGO_INDEXES, type MangoIndex } from '../domain/mango-indexes';
import { userDbName } from '../domain/user-db-name';
import { E2E_APP_DIR } from '../e2e/support/e2e-env';
import { INITIAL_PULL_BATCH_SIZE, REPLICATION_BATCH_SIZE } from '../src/app/core/replication-options';
import { launchChromium } from './bench-chromium';
import { benchDefect, benchInspection } from './bench-docs';
import { NAME_HELPER, pouchdbPage } from './pouchdb-page';
import { chromiumCpu, cpuOfPid, cpuSpent, describeCpu, leastWallSeconds, untilIdle } from './process-cpu';
import { serverKind, settleIndexes, startBenchStack, type BenchStack } from './bench-stack';
import { fmt, median } from './stats';
import { describeLink, emulateLink, parseLink, type TabletLink } from './tablet-link';
import { FIRST_ROW_WATCH, listPaintAfterReload, syncsBothWays, untilMigrationDone, type BenchWindow, type SyncCheck } from './tablet-list';

const PASSWORD = 'bench-password-1';
const PULL_USER = 'bench-reader';
const WRITE_USER = 'bench-writer';
const TABLET_USER = 'bench-tablet';
const SEED_BATCH = 1_000;
const TARGET_PULL_S = 10;
const TARGET_RECONNECT_S = 2;
const TARGET_APP_PULL_S = 5;
const TARGET_LIST_PAINT_MS = 300;
const INITIAL_PULL_SOURCE = resolve(__dirname, '..', 'src', 'app', 'core', 'initial-pull.ts');

function options() {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      docs: { type: 'string', default: '10000' },
      thumbnails: { type: 'string', default: '0' },
      writes: { type: 'string', default: '100' },
      rounds: { type: 'string', default: '3' },
      'pull-rounds': { type: 'string', default: '1' },
      'app-pull-cap': { type: 'string', default: '30' },
      'app-rounds': { type: 'string', default: '1' },
      'tablet-docs': { type: 'string', default: '0' },
      'tablet-cap': { type: 'string', default: '600' },
      adapter: { type: 'string', default: 'indexeddb' },
      'batch-size': { type: 'string' },
      'app-dir': { type: 'string', default: E2E_APP_DIR },
      'no-app-pull': { type: 'boolean', default: false },
      'with-indexes': { type: 'boolean', default: false },
      'indexes-after': { type: 'boolean', default: false },
      'cpu-profile': { type: 'string' },
      link: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: tsx bench/browser-sync.ts [--server pouchdb-server|couchdb] [--docs 10000] [--thumbnails 0] [--writes 100] [--rounds 3] [--pull-rounds 1] [--app-pull-cap 30]\n' +
        '         [--app-rounds 1] [--tablet-docs 50000] [--tablet-cap 600] [--adapter idb|indexeddb] [--batch-size N] [--app-dir DIR] [--no-app-pull] [--with-indexes | --indexes-after]\n' +
        '         [--cpu-profile DIR] [--link DOWN/UP/RTT] [--json]',
    );
    process.exit(0);
  }
  return {
    server: serverKind(values.server),
    docs: Number(values.docs),
    thumbnails: Math.min(Number(values.thumbnails), Number(values.docs) - 1),
    writes: Number(values.writes),
    rounds: Math.max(1, Number(values.rounds)),
    pullRounds: Math.max(1, Number(values['pull-rounds'])),
    appPullCapMs: Number(values['app-pull-cap']) * 1000,
    appRounds: Math.max(1, Number(values['app-rounds'])),
    tabletDocs: Number(values['tablet-docs']),
    tabletCapMs: Number(values['tablet-cap']) * 1000,
    adapter: values.adapter === 'idb' ? ('idb' as const) : ('indexeddb' as const),
    batchSize: values['batch-size'] ? Number(values['batch-size']) : REPLICATION_BATCH_SIZE,
    appDir: resolve(values['app-dir']),
    appPull: !values['no-app-pull'],
    indexes: values['with-indexes'] || values['indexes-after'] ? MANGO_INDEXES : [],
    indexesAfter: values['indexes-after'],
    profileDir: values['cpu-profile'] ? resolve(values['cpu-profile']) : null,
    link: values.link ? parseLink(values.link) : null,
    json: values.json,
  };
}

/** Seeds `count` documents: inspections, and the last `thumbnails` of them defects with a thumbnail each, spread over the inspections. */
async function seed(admin: CouchAdmin, user: string, count: number, thumbnails = 0): Promise<number> {
  const db = admin.use(userDbName(user));
  const started = performance.now();
  const inspections = count - thumbnails;
  const inspectionIds: string[] = [];
  // In index order: every inspection is made before the first defect names one.
  const docAt = (i: number) => {
    if (i >= inspections) return benchDefect(user, i, inspectionIds[i % inspections]);
    const doc = benchInspection(user, i);
    inspectionIds.push(doc['_id'] as string);
    return doc;
  };
  for (let offset = 0; offset < count; offset += SEED_BATCH) {
    const docs = Array.from({ length: Math.min(SEED_BATCH, count - offset) }, (_, i) => docAt(offset + i));
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
 * A blank page of `origin` with PouchDB's browser build and the app's initial pull, logged in
 * as `user` at `sessionPath`: the proxy's `/api/session`, or the server's own `/_session`
 * (its AuthSession cookie, what the proxy sends the server on the user's behalf).
 */
async function benchPage(
  context: BrowserContext,
  origin: string,
  user: string,
  sessionPath: '/api/session' | '/_session',
  link: TabletLink | null,
): Promise<Page> {
  const page = await pouchdbPage(context, origin, { 'initial-pull.js': initialPullScript() });
  if (link) await emulateLink(page, link);
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
  indexes: readonly MangoIndex[],
  indexesAfter: boolean,
): Promise<PullResult> {
  return page.evaluate(
    async ({ remotePath, round, adapter, batchSize, initialPullBatchSize, baselines, indexes, indexesAfter }) => {
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
        // PouchDB rejects with plain objects, which Playwright would report as just "Object".
        await work().catch((error: unknown) => {
          throw error instanceof Error ? error : new Error(JSON.stringify(error));
        });
        return (performance.now() - started) / 1000;
      };

      const app = fresh('app');
      type Finder = { createIndex(request: object): Promise<unknown>; find(request: object): Promise<unknown> };
      // The app's database keeps its Mango indexes current on every write; (a) leaves them out unless asked.
      if (!indexesAfter) for (const index of indexes) await (app as unknown as Finder).createIndex({ index });
      const appSeconds = await timed(async () => {
        const since = await initialPull(app as PouchDB.Database<object>, remoteDb as PouchDB.Database<object>, {
          batchSize: initialPullBatchSize,
        });
        await app.replicate.from(remoteDb, { ...replication, since } as object);
        // IndexedDB builds an index over what the store holds when a query first needs it.
        for (const { ddoc, name, fields } of indexesAfter ? indexes : []) {
          await (app as unknown as Finder).createIndex({ index: { ddoc, name, fields } });
          await (app as unknown as Finder).find({ selector: { [fields[0]]: { $gt: null } }, use_index: [ddoc, name], limit: 1 });
        }
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
    { remotePath, round, adapter, batchSize, initialPullBatchSize: INITIAL_PULL_BATCH_SIZE, baselines, indexes, indexesAfter },
  );
}

/** Opens the sign-in page and fills it in as `user`; returns how long that took (a fresh browser fetches the whole app). */
async function openSignIn(page: Page, origin: string, user: string): Promise<number> {
  const opened = Date.now();
  await page.goto(`${origin}/login`);
  await page.getByTestId('login-name').fill(user);
  await page.getByTestId('login-password').fill(PASSWORD);
  return (Date.now() - opened) / 1000;
}

/** Presses "Sign in" on the filled sign-in page; returns when (ms since the epoch). */
async function pressSignIn(page: Page): Promise<number> {
  const pressedAt = Date.now();
  await page.getByTestId('login-submit').click();
  return pressedAt;
}

async function logInToApp(page: Page, origin: string, user: string): Promise<void> {
  await openSignIn(page, origin, user);
  await pressSignIn(page);
}

async function syncState(page: Page): Promise<string | null> {
  return page
    .getByTestId('sync-state')
    .getAttribute('data-state', { timeout: 1_000 })
    .catch(() => null);
}

/** CPU seconds `work` cost, by process: Chromium's by role (chromiumCpu), the `server`, and this process (`proxy`: the proxy and the bench). */
async function withCpu<T>(serverPid: number | null, work: () => Promise<T>): Promise<{ value: T; cpu: Record<string, number> }> {
  const before = { chromium: chromiumCpu(), server: cpuOfPid(serverPid), own: process.cpuUsage() };
  const value = await work();
  const own = process.cpuUsage(before.own);
  const server = cpuOfPid(serverPid);
  return {
    value,
    cpu: {
      ...cpuSpent(before.chromium, chromiumCpu()),
      ...(server !== null && before.server !== null ? { server: server - before.server } : {}),
      proxy: (own.user + own.system) / 1e6,
    },
  };
}

function medianCpu(runs: Record<string, number>[]): Record<string, number> {
  return Object.fromEntries([...new Set(runs.flatMap(Object.keys))].map((kind) => [kind, median(runs.map((run) => run[kind] ?? 0))]));
}

function describeAppPull(app: AppPullResult, expected: number): string {
  const marks = `first row after ${fmt(app.firstRowSeconds ?? NaN)} s, every doc local after ${fmt(app.localSeconds ?? NaN)} s (the sign-in page took ${fmt(app.signInPageSeconds)} s before); CPU seconds: ${describeCpu(app.cpu)}`;
  return app.done
    ? `${expected} docs local and "up to date" after ${fmt(app.seconds)} s (${Math.round(expected / app.seconds)} docs/s); ${marks}`
    : `${app.docs} of ${expected} docs local after ${fmt(app.seconds, 0)} s (stopped at the cap); ${marks}`;
}

interface TabletResult {
  docs: number;
  firstLogin: AppPullResult;
  migrationSeconds: number;
  /** Median over the reloads: navigation start to the list's first row. */
  paintMs: number;
  baselinePaintMs: number;
  sync: SyncCheck;
  baselineSync: SyncCheck;
}

/**
 * (c): seeds `tabletDocs` inspections for a tablet user on the server, lets the app's first
 * login pull them and its migration walk finish, then reloads it `rounds` times (and the
 * baseline tablet `baseline`, which holds `baselineDocs`, as often, alternating) and checks
 * that both still sync. The tablet gets a browser of its own, as a tablet has: in one
 * browser, the page reloaded second shared Chromium's browser process (IndexedDB's backend)
 * with the first one's start and was the slower one in most rounds.
 */
async function tabletRounds(
  stack: BenchStack,
  baseline: Page,
  baselineDocs: number,
  tabletDocs: number,
  rounds: number,
  capMs: number,
): Promise<TabletResult> {
  console.log(`(c) seeded ${tabletDocs} inspections for the tablet in ${fmt(await seed(stack.admin, TABLET_USER, tabletDocs))} s`);
  if (stack.server.kind === 'couchdb') await settleIndexes(stack, userDbName(TABLET_USER));
  const browser = await launchChromium();
  try {
    const { result: firstLogin, page } = await appPull(
      browser,
      stack.proxy.url,
      TABLET_USER,
      tabletDocs,
      capMs,
      null,
      stack.serverPid,
      null,
      true,
    );
    console.log(`(c) the tablet's first login: ${describeAppPull(firstLogin, tabletDocs)}`);
    const migrationSeconds = await untilMigrationDone(page);
    await untilMigrationDone(baseline);
    // As on a tablet in service: not while its browser and the server still compact the writes
    // of the first login (the server shares this machine's two cores; a real one does not).
    const busy = () => (cpuOfPid(stack.serverPid) ?? 0) + [...chromiumCpu().values()].reduce((sum, { seconds }) => sum + seconds, 0);
    console.log(`(c) the server and the browser settled ${fmt(await untilIdle(busy))} s after the tablet's first login`);
    const paints: number[] = [];
    const baselinePaints: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [page, baseline] : [baseline, page];
      for (const tablet of order) (tablet === page ? paints : baselinePaints).push(await listPaintAfterReload(tablet));
      console.log(
        `(c) round ${round + 1}: the list's first row after a reload ${fmt(paints.at(-1)!, 0)} ms; baseline ${fmt(baselinePaints.at(-1)!, 0)} ms`,
      );
    }
    for (const tablet of [page, baseline]) await waitForState(tablet, 'paused', 120_000);
    const serverDoc = (user: string) => benchInspection(user, tabletDocs + 1);
    const sync = await syncsBothWays(page, stack.admin, TABLET_USER, serverDoc(TABLET_USER));
    const baselineSync = await syncsBothWays(baseline, stack.admin, PULL_USER, serverDoc(PULL_USER));
    return {
      docs: tabletDocs,
      firstLogin,
      migrationSeconds,
      paintMs: median(paints),
      baselinePaintMs: median(baselinePaints),
      sync,
      baselineSync,
    };
  } finally {
    await browser.close();
  }
}

/** What (a') measured of one first login; times from "Sign in". */
interface AppPullResult {
  /** Until every document is local and the chip says "up to date". */
  seconds: number;
  /** Until the list showed its first row (null: not within the cap). */
  firstRowSeconds: number | null;
  /** Until every document was local (null: not within the cap). */
  localSeconds: number | null;
  /** Before "Sign in": the sign-in page of a fresh browser loaded and filled in (not in the other times). */
  signInPageSeconds: number;
  docs: number;
  done: boolean;
  /** CPU seconds spent meanwhile, by process: Chromium's by role (chromiumCpu), `server`, and `proxy` (this process: the proxy and the bench's polls). */
  cpu: Record<string, number>;
}

/**
 * (a'): the app's first login on a fresh browser as `user`, until all `expected` docs are
 * local and it says "up to date". With `keep`, the tablet stays open for (c) (close its context).
 */
async function appPull(
  browser: Browser,
  origin: string,
  user: string,
  expected: number,
  capMs: number,
  profileFile: string | null,
  serverPid: number | null,
  link: TabletLink | null,
  keep = false,
): Promise<{ result: AppPullResult; page: Page }> {
  const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 800 } });
  await context.addInitScript(NAME_HELPER);
  await context.addInitScript(FIRST_ROW_WATCH);
  try {
    const page = await context.newPage();
    if (link) await emulateLink(page, link);
    // Timed, and its CPU counted, from the press of "Sign in", as issue 14 words it.
    const signInPageSeconds = await openSignIn(page, origin, user);
    const { value: result, cpu } = await withCpu(serverPid, () =>
      profiled(page, profileFile, () => appPullOn(page, expected, capMs, signInPageSeconds)),
    );
    return { result: { ...result, cpu }, page };
  } finally {
    if (!keep) await context.close();
  }
}

async function appPullOn(page: Page, expected: number, capMs: number, signInPageSeconds: number): Promise<Omit<AppPullResult, 'cpu'>> {
  const started = await pressSignIn(page);
  const since = (at: number | null) => (at === null ? null : (at - started) / 1000);
  const deadline = started + capMs;
  let docs = 0;
  let localAt: number | null = null;
  while (Date.now() < deadline) {
    // The poll must not compete with the sync it measures: the adapter answers info() from
    // memory, and the design documents are counted (a read) only once doc_count could be complete.
    docs = await page.evaluate(async (expected) => {
      const db = (window as unknown as { fieldbookDb?: PouchDB.Database }).fieldbookDb;
      if (!db) return 0;
      const { doc_count } = await db.info();
      if (doc_count < expected) return doc_count;
      return doc_count - (await db.allDocs({ startkey: '_design/', endkey: '_design/\uffff' })).rows.length;
    }, expected);
    const now = Date.now();
    if (docs >= expected) localAt ??= now;
    if (docs >= expected && (await syncState(page)) === 'paused') {
      const firstRowAt = await page.evaluate(() => (window as unknown as BenchWindow).benchFirstRowAt ?? null);
      // Counted once the clock is stopped: a read of every row takes a while.
      const seeded = await page.evaluate(async () => {
        const count = async (prefix: string) =>
          (await window.fieldbookDb!.allDocs({ startkey: prefix, endkey: `${prefix}\uffff` })).rows.length;
        return (await count('inspection:')) + (await count('defect:'));
      });
      if (seeded >= expected)
        return {
          seconds: (now - started) / 1000,
          firstRowSeconds: since(firstRowAt),
          localSeconds: since(localAt),
          signInPageSeconds,
          docs: seeded,
          done: true,
        };
    }
    await page.waitForTimeout(100);
  }
  const firstRowAt = await page.evaluate(() => (window as unknown as BenchWindow).benchFirstRowAt ?? null);
  return {
    seconds: (Date.now() - started) / 1000,
    firstRowSeconds: since(firstRowAt),
    localSeconds: since(localAt),
    signInPageSeconds,
    docs,
    done: false,
  };
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
    users: { [PULL_USER]: 'inspector', [WRITE_USER]: 'inspector', [TABLET_USER]: 'inspector' },
    password: PASSWORD,
    staticDir: opts.appDir,
  });
  let browser: Browser | null = null;
  try {
    console.log(`server: ${stack.serverLabel} at ${stack.server.url}; the direct baseline pulls from it without the proxy`);
    if (opts.link) console.log(`(a) and (a') pages on an emulated tablet link: ${describeLink(opts.link)}`);
    const seedSeconds = await seed(stack.admin, PULL_USER, opts.docs, opts.thumbnails);
    const seeded = opts.thumbnails
      ? `${opts.docs - opts.thumbnails} inspections and ${opts.thumbnails} defects with a thumbnail each`
      : `${opts.docs} inspections`;
    console.log(`seeded ${seeded} as admin in ${fmt(seedSeconds)} s; proxy at ${stack.proxy.url}`);
    if (stack.server.kind === 'couchdb')
      console.log(
        `CouchDB's background view indexing of the seeded docs finished in ${fmt(await settleIndexes(stack, userDbName(PULL_USER)), 1)} s (unmeasured)`,
      );
    console.log(
      `server warm-up: every change and document read once as admin in ${fmt(await warmServer(stack.admin, PULL_USER))} s (unmeasured)`,
    );
    browser = await launchChromium();

    // (a) initial pull through the proxy vs directly from the server, PouchDB's replicator, a local copy.
    const pullContext = await browser.newContext({ serviceWorkers: 'block' });
    const page = await benchPage(pullContext, stack.proxy.url, PULL_USER, '/api/session', opts.link);
    const directContext = await browser.newContext({ serviceWorkers: 'block' });
    const directPage = await benchPage(directContext, stack.server.url, PULL_USER, '/_session', opts.link);
    const pulls: PullResult[] = [];
    const directPulls: PullResult[] = [];
    /** What the direct pulls cost: the page's own work of a pull, without the proxy or the app. */
    const directCpus: Record<string, number>[] = [];
    const rate = (seconds: number | null) => `${fmt(seconds ?? NaN)} s (${Math.round(opts.docs / (seconds ?? NaN))} docs/s)`;
    for (let round = 0; round < opts.pullRounds; round++) {
      const profile = round === 0 && opts.profileDir ? join(opts.profileDir, 'pull.cpuprofile') : null;
      const viaProxy = () =>
        profiled(page, profile, () =>
          pullRound(page, `/db/${userDbName(PULL_USER)}`, round, opts.adapter, opts.batchSize, true, opts.indexes, opts.indexesAfter),
        );
      const direct = async () => {
        const { value, cpu } = await withCpu(stack.serverPid, () =>
          pullRound(directPage, `/${userDbName(PULL_USER)}`, round, opts.adapter, opts.batchSize, false, opts.indexes, opts.indexesAfter),
        );
        directCpus.push(cpu);
        return value;
      };
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
          `ratio ${fmt(result.appSeconds / directResult.appSeconds)}; PouchDB's replicator through the proxy ${rate(result.replicatorSeconds)}; local->local ${rate(result.localSeconds)}; ` +
          `CPU seconds of the direct pull: ${describeCpu(directCpus[directCpus.length - 1])}`,
      );
    }
    await directContext.close();
    await pullContext.close();

    // (a') the app's own first login, each round on a fresh browser; the last one's tablet stays open for (c).
    const apps: AppPullResult[] = [];
    let appTablet: Page | null = null;
    for (let round = 0; opts.appPull && round < opts.appRounds; round++) {
      const last = round === opts.appRounds - 1;
      const { result: app, page: tablet } = await appPull(
        browser,
        stack.proxy.url,
        PULL_USER,
        opts.docs,
        opts.appPullCapMs,
        round === 0 && opts.profileDir ? join(opts.profileDir, 'app-pull.cpuprofile') : null,
        stack.serverPid,
        opts.link,
        last && opts.tabletDocs > 0,
      );
      if (last && opts.tabletDocs > 0) appTablet = tablet;
      apps.push(app);
      console.log(`(a') round ${round + 1}: the app's first login: ${describeAppPull(app, opts.docs)}`);
    }

    // (c) a tablet holding many documents: its list after a reload, and its sync.
    let tablet: TabletResult | null = null;
    if (appTablet) {
      tablet = await tabletRounds(stack, appTablet, opts.docs, opts.tabletDocs, opts.rounds, opts.tabletCapMs);
      await appTablet.context().close();
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
    const directCpu = medianCpu(directCpus);
    const medianOf = (values: (number | null)[]) => (values.some((value) => value === null) ? null : median(values as number[]));
    const app = apps.length
      ? {
          seconds: median(apps.map((a) => a.seconds)),
          firstRowSeconds: medianOf(apps.map((a) => a.firstRowSeconds)),
          localSeconds: medianOf(apps.map((a) => a.localSeconds)),
          signInPageSeconds: median(apps.map((a) => a.signInPageSeconds)),
          docs: Math.min(...apps.map((a) => a.docs)),
          complete: apps.every((a) => a.done),
          rounds: apps.length,
          ratioToPull: median(apps.map((a) => a.seconds)) / pullSeconds,
          cpu: medianCpu(apps.map((a) => a.cpu)),
          targetSeconds: TARGET_APP_PULL_S,
        }
      : null;
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
        baselineDirectCpuSeconds: directCpu,
        ratioToDirect: pullSeconds / directSeconds,
        baselineReplicatorSeconds: replicatorSeconds,
        baselineLocalSeconds: localSeconds,
        ratioToReplicator: pullSeconds / replicatorSeconds,
        ratioToLocal: pullSeconds / localSeconds,
        targetSeconds: TARGET_PULL_S,
      },
      appFirstSync: app,
      tablet,
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
      console.log(
        `  (a') the app's first login, "Sign in" to "up to date": ${fmt(app.seconds)} s${app.complete ? '' : ' (NOT complete: stopped at the cap)'} ` +
          `[target <= ${TARGET_APP_PULL_S} s for 10,000: ${app.complete && app.seconds * (10_000 / opts.docs) <= TARGET_APP_PULL_S ? 'met' : 'NOT met'}]; ratio (a')/(a) ${fmt(app.ratioToPull)}`,
      );
      console.log(
        `       first row of the list after ${fmt(app.firstRowSeconds ?? NaN)} s; every doc local after ${fmt(app.localSeconds ?? NaN)} s; ` +
          `before "Sign in", a fresh browser's sign-in page loaded and filled in ${fmt(app.signInPageSeconds)} s`,
      );
      console.log(`       CPU seconds (medians): ${describeCpu(app.cpu)}; the direct pull of (a): ${describeCpu(directCpu)}`);
      console.log(
        `       least wall those CPU seconds allow on ${cpus().length} core(s): first login ${fmt(leastWallSeconds(app.cpu))} s, direct pull ${fmt(leastWallSeconds(directCpu))} s`,
      );
    }
    console.log(
      `  (b)  online -> ${opts.writes} queued writes acknowledged: ${fmt(reconnect)} s [target <= ${TARGET_RECONNECT_S} s: ${reconnect <= TARGET_RECONNECT_S ? 'met' : 'NOT met'}]` +
        `${serviceWorker ? '' : ' (no service worker took control)'}`,
    );
    console.log(`       baseline, network already up: ${fmt(online)} s; ratio reconnect/baseline ${fmt(reconnect / online)}`);
    if (tablet) {
      console.log(
        `  (c)  a tablet holding ${tablet.docs} docs, reloaded: the list's first row after ${fmt(tablet.paintMs, 0)} ms ` +
          `[target <= ${TARGET_LIST_PAINT_MS} ms: ${tablet.paintMs <= TARGET_LIST_PAINT_MS ? 'met' : 'NOT met'}]; ` +
          `baseline the tablet of (a') holding ${opts.docs}: ${fmt(tablet.baselinePaintMs, 0)} ms; ratio ${fmt(tablet.paintMs / tablet.baselinePaintMs)}`,
      );
      console.log(
        `       it syncs: an edit on the server after ${fmt(tablet.sync.upSeconds)} s, a server change on the tablet after ${fmt(tablet.sync.downSeconds)} s ` +
          `(baseline ${fmt(tablet.baselineSync.upSeconds)} s, ${fmt(tablet.baselineSync.downSeconds)} s)`,
      );
      console.log(
        `       its first login took ${fmt(tablet.firstLogin.seconds)} s${tablet.firstLogin.done ? '' : ' (stopped at the cap)'}, then the migration walk ${fmt(tablet.migrationSeconds)} s`,
      );
    }
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
