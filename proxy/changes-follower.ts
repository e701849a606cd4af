import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { basicAuthorization, isConflict, isNotFound, splitCredentials, type CouchAdmin } from '../couch/couch-admin';
import type { ChangesFeed } from './changes-feed';

/** Changes read per round: each round's lookups and writes are batched. */
const BATCH = 100;
/** CouchDB answers an idle longpoll after this; PouchDB Server ignores it, so the request is cut 40 % later. */
const IDLE_MS = 25_000;
const CUT_FACTOR = 1.4;
const RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

export interface ChangeRow<Doc> {
  seq: unknown;
  id: string;
  deleted?: boolean;
  /** Every leaf revision (`style=all_docs`). */
  changes: { rev: string }[];
  /** The winning revision, with `_conflicts`. */
  doc?: Doc;
}

export interface ChangesFollowerOptions<Doc> {
  couch: CouchAdmin;
  couchAdminUrl: string;
  db: string;
  /** The `_local` document of `db` that keeps how far the follower got (never replicated). */
  checkpointId: string;
  /** What it does, for the logs. */
  purpose: string;
  logger: Logger;
  /** One batch of changes, with their documents; if it rejects, the same batch comes again. */
  handle(rows: ChangeRow<Doc>[]): Promise<void>;
  /** It read to the end of the changes, or waited on them quietly: it keeps up. */
  caughtUp?(): void;
  /** A round failed (CouchDB unreachable, an error) and is retried with backoff. */
  failed?(error: Error): void;
  /** How long one read waits for a change (default 25 s). */
  idleMs?: number;
}

/** What one piece of background work does with a followed database's changes. */
export type ChangesHandler<Doc> = Pick<ChangesFollowerOptions<Doc>, 'handle' | 'caughtUp' | 'failed'>;

/**
 * Follows a database's changes as server admin, in batches, for background work that must
 * see every change once done: it resumes from a checkpoint in the database, so a restart
 * misses nothing, and its first run reads from the start. A failed round is retried from the
 * same place, backing off while CouchDB is away; the work must bear being done twice.
 */
export function followChanges<Doc>(options: ChangesFollowerOptions<Doc>): ChangesFeed {
  const { db, logger, purpose } = options;
  const { url, name, password } = splitCredentials(options.couchAdminUrl);
  const headers = { authorization: basicAuthorization(name, password), accept: 'application/json' };
  const controller = new AbortController();
  const checkpoint = new Checkpoint(options.couch, db, options.checkpointId);
  const idleMs = options.idleMs ?? IDLE_MS;

  const readChanges = async (since: unknown): Promise<{ results: ChangeRow<Doc>[]; last_seq: unknown }> => {
    // A timer of our own: Node 20 lets an `AbortSignal.timeout` that only `AbortSignal.any` holds be collected, unfired.
    const idle = new AbortController();
    const timer = setTimeout(() => idle.abort(new DOMException('no answer', 'TimeoutError')), idleMs * CUT_FACTOR);
    let answered = false;
    try {
      const signal = AbortSignal.any([controller.signal, idle.signal]);
      const query = `feed=longpoll&timeout=${idleMs}&limit=${BATCH}&include_docs=true&conflicts=true&style=all_docs&since=${encodeURIComponent(String(since))}`;
      const response = await fetch(`${url}/${encodeURIComponent(db)}/_changes?${query}`, { headers, signal });
      if (!response.ok) throw new Error(`${db}/_changes answered ${response.status}`);
      answered = true;
      return (await response.json()) as { results: ChangeRow<Doc>[]; last_seq: unknown };
    } catch (error) {
      // PouchDB Server answers an idle longpoll and then holds it, whatever `timeout` says: cut,
      // it is a quiet round. A server that never answered within the bound is a failure.
      if (answered && idle.signal.aborted && !controller.signal.aborted) return { results: [], last_seq: since };
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };

  const round = async (since: unknown): Promise<unknown> => {
    const { results, last_seq } = await readChanges(since);
    if (results.length) {
      await options.handle(results);
      await checkpoint.save(last_seq);
    }
    if (results.length < BATCH) options.caughtUp?.();
    logger.debug({ db, since, changes: results.length }, `${purpose} round`);
    return last_seq;
  };

  void (async () => {
    let since: unknown = null;
    let delay = RETRY_MS;
    while (!controller.signal.aborted) {
      try {
        since ??= await checkpoint.read();
        since = await round(since);
        delay = RETRY_MS;
      } catch (error) {
        if (controller.signal.aborted) return;
        options.failed?.(error as Error);
        logger.warn({ db, error: (error as Error).message }, `${purpose} failed; retrying`);
        await sleep(delay, undefined, { signal: controller.signal }).catch(() => undefined);
        delay = Math.min(delay * 2, MAX_RETRY_MS);
      }
    }
  })();
  return { stop: () => controller.abort() };
}

/** A `_local` record of the last sequence done. */
class Checkpoint {
  private rev: string | undefined;

  constructor(
    private readonly couch: CouchAdmin,
    private readonly db: string,
    private readonly id: string,
  ) {}

  async read(): Promise<unknown> {
    try {
      const doc = (await this.couch.use(this.db).get(this.id)) as unknown as { _rev: string; seq: unknown };
      this.rev = doc._rev;
      return doc.seq;
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
  }

  async save(seq: unknown): Promise<void> {
    const write = () => this.couch.use(this.db).insert({ _id: this.id, _rev: this.rev, seq } as never);
    try {
      this.rev = (await write()).rev;
    } catch (error) {
      // Another proxy process moved it: take its revision and write ours.
      if (!isConflict(error)) throw error;
      await this.read();
      this.rev = (await write()).rev;
    }
  }
}
