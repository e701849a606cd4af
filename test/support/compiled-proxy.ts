import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PROXY_ARGS } from '../../scripts/build-proxy';

/** The compiled proxy's ready line: the primary's, with workers. */
export interface Ready {
  url: string;
  pid: number;
  metrics?: string;
  workers?: number[];
}

/** Starts the compiled proxy (dist/proxy/main.js, built by buildProxyIfStale) with plain node; resolves with its ready line and how long it took to listen. */
export async function startCompiledProxy(
  couchAdminUrl: string,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; ready: Ready; startMs: number }> {
  const startedAt = Date.now();
  const child = spawn(process.execPath, PROXY_ARGS, {
    env: {
      ...process.env,
      COUCH_URL: couchAdminUrl,
      PORT: '0',
      LOG_LEVEL: 'warn',
      FIELDBOOK_STATIC_DIR: join(tmpdir(), 'fieldbook-no-app'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`the proxy exited (${code}) before it listened`)));
    const [line] = (await Promise.race([once(createInterface({ input: child.stdout! }), 'line'), exited])) as [string];
    return { child, ready: JSON.parse(line) as Ready, startMs: Date.now() - startedAt };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** The processes whose parent is `pid` (node:cluster workers of a primary). */
export const childPids = (pid: number): number[] =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        // Fields after the command name (which may hold spaces): state, then the parent's pid.
        return Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * The client ports of the established IPv4 connections to `serverPort` that process `pid`
 * holds (its socket fds matched against /proc/net/tcp): which worker took which connection.
 */
export function clientPortsHeldBy(pid: number, serverPort: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // The fd closed while we looked.
    }
  }
  // Columns: sl, local address, remote address, state (01 = established), queues, timers, retransmits, uid, timeout, inode.
  return readFileSync(`/proc/${pid}/net/tcp`, 'utf8')
    .split('\n')
    .slice(1)
    .map((row) => row.trim().split(/\s+/))
    .filter((columns) => columns.length > 9 && columns[3] === '01' && portOf(columns[1]) === serverPort && inodes.has(columns[9]))
    .map((columns) => portOf(columns[2]));
}

const portOf = (address: string) => parseInt(address.split(':')[1], 16);

/** Kills a compiled proxy and its workers outright, also stopped (SIGSTOP) ones, which would never see their primary go: cleanup after a test. */
export function killProxyGroup(child: ChildProcess): void {
  const pids = child.pid === undefined ? [] : [...childPids(child.pid), child.pid];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
