/**
 * The stack a benchmark runs on: a database server of either kind (the embedded PouchDB Server
 * or a real CouchDB 3.4 from ../shared/couchdb, chosen the way the tests choose it), bootstrapped,
 * with users, and the proxy in front of it. Everything listens on 127.0.0.1 only, in a temp
 * dir, on free ports, and is stopped by stop(), also when the benchmark is interrupted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { bootstrap } from '../couch/bootstrap';
import { couchAdmin, type CouchAdmin } from '../couch/couch-admin';
import { addUser, type FieldbookRole } from '../couch/users';
import { startProxy, type RunningProxy } from '../proxy/server';
import { freePort } from '../test/support/free-port';
import { descendants } from './process-cpu';
import { startTestServer, TEST_SERVER, type TestServer, type TestServerKind } from '../test/support/test-server';

export interface BenchStack {
  server: TestServer;
  /** What the server says it is, e.g. "Apache CouchDB 3.4.3" or "PouchDB Server 4.2.0 (embedded)". */
  serverLabel: string;
  serverVersion: string;
  /** The server's own process (PouchDB Server's Node process, CouchDB's beam.smp) where /proc tells it, else null. */
  serverPid: number | null;
  admin: CouchAdmin;
  proxy: RunningProxy;
  stop(): Promise<void>;
}

/** `--server couchdb|pouchdb-server`; without it, FIELDBOOK_TEST_SERVER as in the tests (default pouchdb-server). */
export function serverKind(flag: string | undefined): TestServerKind {
  if (flag === undefined) return TEST_SERVER;
  if (flag !== 'couchdb' && flag !== 'pouchdb-server') throw new Error(`--server must be couchdb or pouchdb-server, got "${flag}"`);
  return flag;
}

export async function startBenchStack(o: {
  kind: TestServerKind;
  users: Record<string, FieldbookRole>;
  password: string;
  staticDir?: string;
}): Promise<BenchStack> {
  const dataDir = mkdtempSync(join(tmpdir(), `fieldbook-bench-${o.kind}-`));
  let server: TestServer | null = null;
  let proxy: RunningProxy | null = null;
  let stopped: Promise<void> | null = null;
  const stop = () =>
    (stopped ??= (async () => {
      if (!interruptedBy) {
        process.off('SIGINT', interrupted);
        process.off('SIGTERM', interrupted);
      }
      await proxy?.close().catch(() => undefined);
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    })());
  // Ctrl-C or a kill: stop the server and the proxy before going. Not `once`: a terminal's
  // Ctrl-C reaches this process twice (from the terminal and relayed by tsx), and a second
  // signal without a handler would end it before the cleanup.
  let interruptedBy: NodeJS.Signals | null = null;
  const interrupted = (signal: NodeJS.Signals) => {
    if (interruptedBy) return;
    interruptedBy = signal;
    console.error(`${signal}: stopping the bench stack`);
    void stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', interrupted);
  process.on('SIGTERM', interrupted);
  try {
    server = await startTestServer(join(dataDir, 'server'), o.kind);
    const serverPid = findServerPid(dataDir);
    const admin = couchAdmin(server.adminUrl);
    const root = (await admin.request({ path: '' })) as { version?: string };
    const serverVersion = root.version ?? 'unknown';
    await bootstrap(admin, { sessionTimeoutSeconds: 24 * 3600 });
    for (const [name, role] of Object.entries(o.users)) await addUser(admin, name, o.password, role);
    proxy = await startProxy({
      couchAdminUrl: server.adminUrl,
      port: await freePort(),
      logger: pino({ level: 'silent' }),
      staticDir: o.staticDir ?? join(dataDir, 'no-app'),
    });
    const serverLabel = o.kind === 'couchdb' ? `Apache CouchDB ${serverVersion}` : `PouchDB Server ${serverVersion} (embedded)`;
    return { server, serverLabel, serverVersion, serverPid, admin, proxy, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * After seeding: CouchDB builds the views of a database's design documents in the background
 * (ken) once documents are written, which would land on the first measured rounds. Brings
 * them up to date (a query of each view waits for its index) and waits until no indexer runs.
 * PouchDB Server builds views only when queried, which the benchmarks do not do. Returns seconds.
 */
export async function settleIndexes(stack: BenchStack, dbName: string): Promise<number> {
  const started = performance.now();
  if (stack.server.kind !== 'couchdb') return 0;
  const db = stack.admin.use(dbName);
  const { rows } = await db.list({ startkey: '_design/', endkey: '_design/\uffff', include_docs: true });
  for (const row of rows) {
    const views = Object.keys((row.doc as { views?: Record<string, unknown> }).views ?? {});
    for (const view of views) await stack.admin.request({ db: dbName, path: `${row.id}/_view/${view}`, qs: { limit: 0 } });
  }
  for (;;) {
    const tasks = (await stack.admin.request({ path: '_active_tasks' })) as { type: string }[];
    if (!tasks.some((task) => task.type === 'indexer' || task.type === 'view_compaction')) break;
    if (performance.now() - started > 300_000) throw new Error('CouchDB still indexing after 5 minutes');
    await new Promise((done) => setTimeout(done, 250));
  }
  return (performance.now() - started) / 1000;
}

/** The command line of a process that runs on `dataDir`'s server, or null. */
function serverCommandLine(pid: number, dataDir: string): string | null {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(dataDir) && (cmdline.includes('pouchdb-server') || /(^|\/)beam\.smp\0/.test(cmdline)) ? cmdline : null;
  } catch {
    return null;
  }
}

/** The server's own process among our descendants: PouchDB Server's Node process or CouchDB's Erlang VM. */
function findServerPid(dataDir: string): number | null {
  return descendants().find((pid) => serverCommandLine(pid, dataDir) !== null) ?? null;
}
