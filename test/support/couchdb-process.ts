import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { basicAuthorization } from '../../couch/couch-admin';
import { waitForServer } from '../../couch/embedded-couch';

const ROOT = resolve(__dirname, '../..');
/** The real CouchDB release the workplace provides beside the project (Apache CouchDB 3.4.3, QuickJS). */
export const COUCHDB_TARBALL =
  process.env['FIELDBOOK_COUCHDB_TARBALL'] ?? resolve(ROOT, '../shared/couchdb/couchdb-3.4.3-debian12-x86_64.tar.gz');
/** The server admin of test CouchDBs: "admin", as most installs call it, so that clash stays tested. */
export const COUCHDB_ADMIN = 'admin';

export interface CouchDbOptions {
  dataDir: string;
  port: number;
  /** Erlang distribution port; every node of one cluster shares it (there is no epmd). */
  distPort: number;
  /** 127.0.0.x: the HTTP and distribution address, and the host of the node name. */
  host?: string;
  /** Nodes of one cluster share it. */
  cookie?: string;
  /** Extra ini files loaded after the project's production settings (e.g. the cluster's). */
  extraIni?: string[];
  /** Admin password; the first start stores it in the instance's ini, later starts reuse that. */
  password?: string;
  /**
   * A single node creates `_users` and `_replicator` itself just after `/_up`; wait for them
   * (default), so the bootstrap does not race CouchDB creating them. Cluster nodes say false.
   */
  singleNode?: boolean;
}

export interface CouchDbProcess {
  /** Base URL without credentials. */
  url: string;
  /** Base URL carrying the server admin's credentials. */
  adminUrl: string;
  nodeName: string;
  stop(): Promise<void>;
  /** Stops the server and starts it again on the same data, port and settings. */
  restart(): Promise<void>;
}

export function couchDbAvailable(): boolean {
  return existsSync(COUCHDB_TARBALL);
}

/**
 * Starts a real CouchDB from the release tarball as our own child process. One unpacked
 * release serves every instance; each instance has its own data dir and ini, and loads the
 * production settings (docker/couchdb/local.ini) so that what runs in tests is what
 * production runs. The child is a tiny shell that kills CouchDB when its stdin closes, so the
 * server goes down with the test process, however that ends.
 */
export async function startCouchDb(options: CouchDbOptions): Promise<CouchDbProcess> {
  const release = unpackedRelease();
  const host = options.host ?? '127.0.0.1';
  const nodeName = `couchdb@${host}`;
  const dataDir = resolve(options.dataDir);
  mkdirSync(join(dataDir, 'log'), { recursive: true });
  const instanceIni = join(dataDir, 'instance.ini');
  const password = options.password ?? storedPassword(dataDir);
  if (!existsSync(instanceIni)) {
    writeFileSync(instanceIni, instanceSettings({ dataDir, host, port: options.port, password }), { mode: 0o600 });
  }
  const argsFile = join(dataDir, 'vm.args');
  writeFileSync(argsFile, vmArgs(nodeName, host, options.distPort, options.cookie ?? randomBytes(16).toString('hex')));
  // CouchDB writes run-time settings (PUT _config) to the last file of the chain: the instance's own.
  const iniFiles = [join(release, 'etc/default.ini'), join(ROOT, 'docker/couchdb/local.ini'), ...(options.extraIni ?? []), instanceIni];

  const url = `http://${host}:${options.port}`;
  const adminUrl = `http://${COUCHDB_ADMIN}:${encodeURIComponent(password)}@${host}:${options.port}`;
  let child: ChildProcess | null = null;

  const launch = async () => {
    // Ctrl-C reaches the whole process group: the shell ignores it and still kills CouchDB when
    // our process (and so the pipe) goes away; CouchDB itself ignores SIGINT.
    const started = spawn('sh', ['-c', "trap '' INT; bin/couchdb & c=$!; read _ ; kill $c; wait $c"], {
      cwd: release,
      env: { ...process.env, ...erlangEnv(), COUCHDB_ARGS_FILE: argsFile, COUCHDB_INI_FILES: iniFiles.join(' ') },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    // Unreferenced: a test process that forgets its server still exits, and its exit closes the pipe.
    started.unref();
    (started.stdin as unknown as { unref(): void }).unref();
    (started.stderr as unknown as { unref(): void }).unref();
    const stderr: string[] = [];
    started.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
    const exited = new Promise<never>((_, reject) =>
      started.once('exit', (code) =>
        reject(new Error(`CouchDB exited (code ${code}) before answering: ${stderr.join('').slice(-2000)}\nsee ${join(dataDir, 'log')}`)),
      ),
    );
    child = started;
    // Ends the waits the race below did not settle on, so none keeps polling (nor the process alive).
    const settled = new AbortController();
    const up = async () => {
      await waitForServer(`${url}/_up`, 90_000, {}, settled.signal);
      if (options.singleNode === false) return;
      const authorization = basicAuthorization(COUCHDB_ADMIN, password);
      for (const db of ['_users', '_replicator']) await waitForServer(`${url}/${db}`, 90_000, { authorization }, settled.signal);
    };
    exited.catch(() => undefined);
    try {
      await Promise.race([up(), exited, portInUse(dataDir, settled.signal)]);
    } catch (error) {
      // A server that never answered is not left running until the test process ends; what it
      // logged goes with the error, as the test's data dir goes with its failure.
      await stop();
      if (error instanceof PortInUseError) throw error;
      throw new Error(`${(error as Error).message}; CouchDB's log ends:\n${logTail(dataDir)}`, { cause: error });
    } finally {
      settled.abort();
    }
  };

  const stop = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((done) => {
      running.once('exit', () => done());
      // Referenced again while it shuts down: an unreferenced child's exit does not keep the
      // event loop alive, so an after() hook awaiting stop() was abandoned when nothing else
      // was pending (the process ended there, skipping whatever came after, e.g. removing data).
      running.ref();
      running.stdin!.end();
    });
  };

  await launch();
  return {
    url,
    adminUrl,
    nodeName,
    stop,
    async restart() {
      await stop();
      await launch();
    },
  };
}

/** CouchDB could not listen on its HTTP port: it runs on without answering, rather than exit. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

/** Rejects once CouchDB logs that its port is taken (another process had it), until `signal` aborts. */
async function portInUse(dataDir: string, signal: AbortSignal): Promise<never> {
  const file = join(dataDir, 'log/couchdb.log');
  while (!signal.aborted) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes('eaddrinuse'))
      throw new PortInUseError(`CouchDB's port in ${dataDir} was taken`);
    await sleep(500, undefined, { signal }).catch(() => undefined);
  }
  return new Promise<never>(() => undefined);
}

/** The last lines CouchDB logged in `dataDir`. */
function logTail(dataDir: string): string {
  const file = join(dataDir, 'log/couchdb.log');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : '(no log)';
}

/** The release unpacked once per machine (atomically: concurrent first starts cannot see half of it). */
function unpackedRelease(): string {
  if (!couchDbAvailable()) throw new Error(`no CouchDB release at ${COUCHDB_TARBALL}`);
  const target = join(tmpdir(), 'fieldbook-couchdb-3.4.3');
  if (existsSync(join(target, 'bin/couchdb'))) return target;
  const staging = mkdtempSync(join(tmpdir(), 'fieldbook-couchdb-unpack-'));
  const untar = spawnSync('tar', ['xzf', COUCHDB_TARBALL, '-C', staging, '--strip-components=1']);
  if (untar.status !== 0) throw new Error(`could not unpack ${COUCHDB_TARBALL}: ${untar.stderr.toString()}`);
  try {
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(target, 'bin/couchdb'))) throw error;
  }
  return target;
}

function storedPassword(dataDir: string): string {
  const file = join(dataDir, 'admin-password');
  if (existsSync(file)) return readFileSync(file, 'utf8');
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

function instanceSettings(o: { dataDir: string; host: string; port: number; password: string }): string {
  const hex = (bytes: number) => randomBytes(bytes).toString('hex');
  return `[couchdb]
uuid = ${hex(16)}
database_dir = ${join(o.dataDir, 'data')}
view_index_dir = ${join(o.dataDir, 'data')}

[chttpd]
port = ${o.port}
bind_address = ${o.host}

[chttpd_auth]
secret = ${hex(32)}

; No Clouseau search node is shipped: point dreyfus where nothing listens.
[dreyfus]
name = clouseau@127.0.0.254

[log]
writer = file
file = ${join(o.dataDir, 'log/couchdb.log')}

[admins]
${COUCHDB_ADMIN} = ${o.password}
`;
}

/** The Erlang VM flags production's CouchDB nodes get (docker/couchdb/erlang.env, the compose file's env_file). */
function erlangEnv(): Record<string, string> {
  const lines = readFileSync(join(ROOT, 'docker/couchdb/erlang.env'), 'utf8').split('\n');
  return Object.fromEntries(
    lines.filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** Distribution on the node's loopback address and a fixed port, without epmd (see ../shared/couchdb/README.md). */
function vmArgs(nodeName: string, host: string, distPort: number, cookie: string): string {
  return [
    `-name ${nodeName}`,
    `-setcookie ${cookie}`,
    '-start_epmd false',
    `-erl_epmd_port ${distPort}`,
    `-kernel inet_dist_use_interface {${host.split('.').join(',')}}`,
    '-dreyfus available false',
    '-kernel error_logger silent',
    '-sasl sasl_error_logger false',
    '-kernel prevent_overlapping_partitions false',
    '+Bd -noinput',
    '-os_mon start_cpu_sup false',
    '-os_mon start_memsup false',
    '',
  ].join('\n');
}
