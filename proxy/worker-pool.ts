import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

export interface WorkerPoolOptions {
  /** Workers to keep running, each a whole proxy (server.ts) on the shared port. */
  count: number;
  logger: Logger;
  /** Once asked to stop, workers still running after this are killed. */
  stopWithinMs: number;
  /** Calls back once on SIGTERM/SIGINT (or whatever the caller counts as a stop). */
  onStopSignal(stop: (signal: string) => void): void;
  /** The primary's own loopback metrics URL, for the ready line (the workers serve no metrics port). */
  metricsUrl?: string;
}

export interface WorkerPool {
  /** Workers that have said they listen and have not exited: the ones to ask for metrics. */
  listening(): Worker[];
  /**
   * Resolves once every first worker listens. Rejects with one sentence, once the others have
   * stopped, if a worker dies before any listened (a port in use, say): a restart would die
   * the same way, forever.
   */
  started: Promise<void>;
}

/** A worker's messages to the primary: it listens, or why it could not start. */
interface WorkerMessage {
  ready?: { url: string; pid: number; metrics?: string };
  failed?: string;
}

/** A worker that dies within this of its start is restarted only after a pause, so a crash loop does not spin. */
const QUICK_DEATH_MS = 5_000;
const RESTART_PAUSE_MS = 1_000;

/**
 * The node:cluster primary: forks `count` proxy workers sharing one listening port (the
 * primary hands out connections round-robin), restarts any that dies once one has listened,
 * and prints one JSON line `{"url", "pid", "metrics", "workers"}` on stdout once every first
 * worker listens. The workers are stateless: sessions live in CouchDB, and each follows the
 * sessions and `_users` feeds, so a logout or disabled user on one ends that user's feeds on
 * all of them. On stop, every worker drains (SIGTERM) and the primary exits when they have.
 */
export function superviseWorkers(options: WorkerPoolOptions): WorkerPool {
  const { count, logger } = options;
  let stopping = false;
  let announced = false;
  let anyListened = false;
  const ready = new Map<number, NonNullable<WorkerMessage['ready']>>();
  const listening = new Map<number, Worker>();
  let settleStart!: { resolve(): void; reject(error: Error): void };
  const started = new Promise<void>((resolve, reject) => (settleStart = { resolve, reject }));

  const giveUp = (reason: string) => {
    stopping = true;
    void stopWorkers().then(() => settleStart.reject(new Error(reason)));
  };

  const fork = () => {
    const startedAt = Date.now();
    const worker = cluster.fork();
    let failure: string | undefined;
    worker.on('message', (message: WorkerMessage) => {
      if (message?.failed) failure = message.failed;
      if (!message?.ready) return;
      anyListened = true;
      ready.set(worker.id, message.ready);
      listening.set(worker.id, worker);
      if (announced || ready.size < count) return;
      announced = true;
      const first = [...ready.values()][0];
      process.stdout.write(
        JSON.stringify({ url: first.url, pid: process.pid, metrics: options.metricsUrl, workers: [...ready.values()].map((w) => w.pid) }) +
          '\n',
      );
      settleStart.resolve();
    });
    const exited = (code: number | null, signal: string | null) => {
      if (stopping) return;
      if (!anyListened) return giveUp(failure ?? `A proxy worker exited (${signal ?? code}) before it listened.`);
      logger.error({ pid: worker.process.pid, code, signal, failure }, 'proxy worker exited; starting another');
      setTimeout(fork, Date.now() - startedAt < QUICK_DEATH_MS ? RESTART_PAUSE_MS : 0);
    };
    worker.once('exit', (code, signal) => {
      ready.delete(worker.id);
      listening.delete(worker.id);
      // Its last message (why it failed) may still be on the way: the channel closes after it.
      if (worker.isConnected()) worker.once('disconnect', () => exited(code, signal));
      else exited(code, signal);
    });
  };
  for (let i = 0; i < count; i++) fork();

  options.onStopSignal((signal) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping proxy workers');
    setTimeout(() => process.exit(1), options.stopWithinMs).unref();
    void stopWorkers().then(() => process.exit(0));
  });
  return { listening: () => [...listening.values()], started };
}

/** Asks every worker to drain (SIGTERM); resolves once all have exited. */
async function stopWorkers(): Promise<void> {
  const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
  await Promise.all(
    workers.map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    ),
  );
}
