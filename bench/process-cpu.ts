/**
 * CPU seconds of the processes a benchmark started, from /proc (Linux; elsewhere null or
 * empty). Wall times swing with whatever else a shared machine runs; the CPU a process spent
 * on the same work does much less, so the benchmarks print both.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const CLOCK_TICKS = 100; // USER_HZ, 100 on Linux

/** User + system CPU seconds of a process; null if it is gone or there is no /proc. */
export function cpuOfPid(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime
  } catch {
    return null;
  }
}

/** This process's descendants (empty where there is no /proc). */
export function descendants(): number[] {
  const parents = new Map<number, number>();
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    return [];
  }
  const descends = (pid: number): boolean => {
    for (let parent = parents.get(pid); parent !== undefined && parent > 1; parent = parents.get(parent))
      if (parent === process.pid) return true;
    return false;
  };
  return [...parents.keys()].filter(descends);
}

/** CPU seconds by process, keyed by pid, with what each process is. */
export type CpuByProcess = Map<number, { kind: string; seconds: number }>;

/**
 * Chromium's processes among our descendants and their CPU so far, each named by its role:
 * `renderer` (the pages' JavaScript and layout), `storage` (the utility process that runs
 * IndexedDB's backend), `browser`, `gpu-process`, other utilities by their sub-type.
 */
export function chromiumCpu(): CpuByProcess {
  const found: CpuByProcess = new Map();
  for (const pid of descendants()) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/); // Chromium rewrites its title: spaces, not NULs
    } catch {
      continue;
    }
    if (!/chrom/.test(args[0] ?? '')) continue;
    const seconds = cpuOfPid(pid);
    if (seconds !== null) found.set(pid, { kind: processKind(args), seconds });
  }
  return found;
}

function processKind(args: string[]): string {
  const flag = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
  const type = flag('type');
  if (!type) return 'browser';
  if (type !== 'utility') return type;
  const sub = flag('utility-sub-type') ?? '';
  return /storage/i.test(sub) ? 'storage' : sub.split('.')[0] || 'utility';
}

/** CPU seconds each kind of process spent between two snapshots (a process new since `before` counts from 0). */
export function cpuSpent(before: CpuByProcess, after: CpuByProcess): Record<string, number> {
  const spent: Record<string, number> = {};
  for (const [pid, { kind, seconds }] of after) spent[kind] = (spent[kind] ?? 0) + seconds - (before.get(pid)?.seconds ?? 0);
  return spent;
}

/** CPU seconds by process, most first: "renderer 9.1, browser 4.2, …" (under 0.05 s left out). */
export function describeCpu(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .filter(([, seconds]) => seconds >= 0.05)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, seconds]) => `${kind} ${seconds.toFixed(1)}`)
    .join(', ');
}

/**
 * The least wall time in which processes that spent `cpu` could have done it on this machine,
 * all cores busy with nothing else: a floor that no change to the order of the work lowers.
 */
export function leastWallSeconds(cpu: Record<string, number>): number {
  return Object.values(cpu).reduce((sum, seconds) => sum + seconds, 0) / cpus().length;
}

/**
 * Waits until the processes `read` sums (their CPU seconds so far) use less than `idleShare` of
 * one core over a `windowMs` window, or `capMs` passed; answers the seconds it waited. A server
 * that has just taken 50,000 writes compacts its storage for a while after (LevelDB for
 * PouchDB Server, and Chromium's IndexedDB the same after a first pull): on two cores that work
 * shares the machine with whatever is measured next.
 */
export async function untilIdle(read: () => number, { windowMs = 1000, idleShare = 0.1, capMs = 180_000 } = {}): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = read();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const share = (read() - before) / (windowMs / 1000);
    if (share < idleShare || performance.now() - started > capMs) return (performance.now() - started) / 1000;
  }
}
