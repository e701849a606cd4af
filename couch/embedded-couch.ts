import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { basicAuthorization, splitCredentials } from './couch-admin';

export interface EmbeddedCouchOptions {
  dataDir: string;
  port: number;
  log?: (message: string) => void;
}

export interface EmbeddedCouch {
  /** Base URL without credentials. */
  url: string;
  /** Base URL carrying the server admin's credentials (never handed to a browser). */
  adminUrl: string;
  /** Resolves once the supervised server answers again (e.g. after a crash). */
  ready(): Promise<void>;
  /** How often the supervisor has restarted the server since it started. */
  restarts(): number;
  stop(): Promise<void>;
}

const SERVER_MAIN = join(__dirname, 'pouchdb-server-main.ts');
// The child runs in the data dir, so tsx is named by its location, not by package name.
// Resolved when a server starts: the tools that only read embeddedAdminUrl also run compiled, without tsx.
const tsxLoader = () => pathToFileURL(require.resolve('tsx')).href;
// Not "admin": that name is free for a Fieldbook user with the admin role.
const ADMIN_NAME = 'couchdb-admin';

/**
 * Runs PouchDB Server 4.2 as a supervised child process. It is old: some malformed
 * requests end it with an unhandled rejection, so it runs with
 * `--unhandled-rejections=warn` and is restarted with capped backoff when it still dies.
 */
export async function startEmbeddedCouch(options: EmbeddedCouchOptions): Promise<EmbeddedCouch> {
  const log = options.log ?? ((message: string) => console.error(message));
  // Its owner's only: config.json holds the cookie secret and the admin's salt, enough to sign
  // a server admin's session cookie.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(options.dataDir, 0o700);
  const url = `http://127.0.0.1:${options.port}`;
  const password = adminPassword(options.dataDir);
  const adminUrl = embeddedAdminUrl(options.dataDir, options.port)!;

  let child: ChildProcess | null = null;
  let stopping = false;
  let backoffMs = 250;
  let restartTimer: NodeJS.Timeout | null = null;
  let restarts = 0;
  // Until the first start answers, a child that exits fails the start: restarting would fail the same way.
  const firstStart = new AbortController();
  let answered = false;

  const launch = () => {
    const startedAt = Date.now();
    const stderr: string[] = [];
    child = spawn(
      process.execPath,
      [
        '--unhandled-rejections=warn',
        '--import',
        tsxLoader(),
        SERVER_MAIN,
        '--host',
        '127.0.0.1',
        '--port',
        String(options.port),
        '--dir',
        options.dataDir,
        '--config',
        join(options.dataDir, 'config.json'),
        '--no-stdout-logs',
      ],
      // stdin is a pipe the child watches: it ends when this process does, however that happens.
      { cwd: options.dataDir, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr.push(chunk.toString());
      if (stderr.length > 20) stderr.shift();
    });
    child.on('exit', (code, signal) => {
      child = null;
      if (stopping) return;
      const lastStderr = stderr.join('').slice(-2000);
      if (!answered) {
        firstStart.abort(
          new Error(`The embedded PouchDB Server exited (${signal ?? `code ${code}`}) before it answered: ${lastStderr.trim()}`),
        );
        return;
      }
      if (Date.now() - startedAt > 60_000) backoffMs = 250;
      log(`embedded CouchDB exited (code ${code}, signal ${signal}); restarting in ${backoffMs} ms. Last stderr:\n${lastStderr}`);
      restarts++;
      restartTimer = setTimeout(launch, backoffMs);
      backoffMs = Math.min(backoffMs * 2, 10_000);
    });
  };

  // A normal exit of the parent must not leave an orphaned server holding the port.
  const killOnExit = () => child?.kill();
  process.once('exit', killOnExit);
  const stop = async () => {
    stopping = true;
    process.off('exit', killOnExit);
    if (restartTimer) clearTimeout(restartTimer);
    const running = child;
    if (!running) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  const ready = () => waitForServer(url, 30_000);
  try {
    await assertPortFree(options.port);
    launch();
    await waitForServer(url, 30_000, {}, firstStart.signal);
    answered = true;
    await ensureAdmin(url, password);
    await ensureStableCookieSecret(options.dataDir, adminUrl);
  } catch (error) {
    // A server that failed to start is not left running (nor restarted) until this process ends.
    await stop();
    throw error;
  }

  return { url, adminUrl, ready, restarts: () => restarts, stop };
}

const credentialsFile = (dataDir: string) => join(dataDir, 'admin-credentials.json');

/**
 * The admin password lives beside the data it protects, readable by its owner only. Written
 * whole or not at all (a full disk left it empty, and every start after failed on it).
 */
function adminPassword(dataDir: string): string {
  const file = credentialsFile(dataDir);
  if (existsSync(file)) return storedCredentials(file).password;
  const password = randomBytes(18).toString('base64url');
  const temp = `${file}.new`;
  writeFileSync(temp, JSON.stringify({ name: ADMIN_NAME, password }), { mode: 0o600 });
  renameSync(temp, file);
  return password;
}

/** The admin URL of the embedded server kept in `dataDir` (for tools like the user CLI); null before its first start. */
export function embeddedAdminUrl(dataDir: string, port: number): string | null {
  const file = credentialsFile(dataDir);
  if (!existsSync(file)) return null;
  const { name, password } = storedCredentials(file);
  return `http://${encodeURIComponent(name)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
}

function storedCredentials(file: string): { name: string; password: string } {
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; password?: unknown };
    if (typeof stored.name === 'string' && typeof stored.password === 'string') return { name: stored.name, password: stored.password };
  } catch {
    // said below
  }
  throw new Error(`${file} is not the embedded server's credentials (empty or damaged): restore it from a backup of that folder.`);
}

/** Leaves "admin party" at first start: until an admin exists, everyone is admin. */
async function ensureAdmin(url: string, password: string): Promise<void> {
  const session = (await (await fetch(`${url}/_session`)).json()) as { userCtx: { roles: string[] } };
  if (!session.userCtx.roles.includes('_admin')) return;
  const response = await fetch(`${url}/_config/admins/${ADMIN_NAME}`, { method: 'PUT', body: JSON.stringify(password) });
  if (!response.ok) throw new Error(`could not create the embedded CouchDB admin: ${response.status} ${await response.text()}`);
}

/**
 * PouchDB Server signs session cookies with a secret it makes anew at every start unless its
 * config holds one: without this, restarting `npm start` would log every tablet out. It
 * takes a secret set at run time at once, and keeps it in config.json.
 */
async function ensureStableCookieSecret(dataDir: string, adminUrl: string): Promise<void> {
  const config = JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')) as { couch_httpd_auth?: { secret?: string } };
  if (config.couch_httpd_auth?.secret) return;
  const { url, name, password } = splitCredentials(adminUrl);
  const response = await fetch(`${url}/_config/couch_httpd_auth/secret`, {
    method: 'PUT',
    headers: { authorization: basicAuthorization(name, password) },
    body: JSON.stringify(randomBytes(32).toString('hex')),
  });
  if (!response.ok) throw new Error(`could not keep the embedded server's cookie secret: ${response.status} ${await response.text()}`);
}

/**
 * Throws one sentence when something listens on the port already: PouchDB Server would fail to
 * listen, and whatever answers there (another `npm start`'s server, CouchDB) is not this one.
 */
async function assertPortFree(port: number): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    throw new Error(
      `Port ${port} on 127.0.0.1 is in use (another "npm start", or CouchDB?): stop it, or set FIELDBOOK_COUCH_PORT to another port (or COUCH_URL to use that server).`,
      { cause: error },
    );
  }
  await new Promise((resolve) => probe.close(resolve));
}

/** How long one try of `waitForServer` waits for an answer. */
const ATTEMPT_MS = 5_000;

/** Resolves once `url` answers 200; rejects after `timeoutMs`, or with the reason as soon as `signal` aborts. */
export async function waitForServer(
  url: string,
  timeoutMs: number,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    try {
      // Each try bounded too: something else on the port may take the connection and never answer.
      const attempt = AbortSignal.timeout(ATTEMPT_MS);
      if ((await fetch(url, { headers, signal: signal ? AbortSignal.any([signal, attempt]) : attempt })).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
