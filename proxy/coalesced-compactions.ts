export interface Compactions {
  /**
   * Compacts the database: now if none is under way, else once more after the one that is.
   * Settles when a compaction begun after this request is done, rejecting with its failure
   * (and after stop() with the one queued behind, which never starts).
   */
  request(db: string): Promise<void>;
  /** Starts none from now on, and has `compact` give up its wait. */
  stop(): void;
}

/**
 * Compactions asked of the server for databases, coalesced: at most one under way per
 * database and one more waiting behind it, shared by every request made meanwhile, so a burst
 * of requests costs two at most. The one behind is needed: the one under way may have begun
 * before the write that asked for it (PouchDB Server compacts up to where the database's
 * changes were when it began). `compact` settles when the compaction is done (not when the
 * server has taken it on: CouchDB answers 202 at once); its signal aborts at stop().
 */
export function coalescedCompactions(compact: (db: string, signal: AbortSignal) => Promise<unknown>): Compactions {
  const underWay = new Map<string, Promise<void>>();
  const behind = new Map<string, Promise<void>>();
  const stopping = new AbortController();
  const start = (db: string): Promise<void> => {
    const run: Promise<void> = compact(db, stopping.signal)
      .then(() => undefined)
      .finally(() => underWay.delete(db));
    underWay.set(db, run);
    return run;
  };
  return {
    request(db) {
      if (stopping.signal.aborted) return Promise.reject(new Error('compactions stopped'));
      const queued = behind.get(db);
      if (queued) return queued;
      const current = underWay.get(db);
      if (!current) return start(db);
      const next = current
        .catch(() => undefined)
        .then(() => {
          behind.delete(db);
          if (stopping.signal.aborted) throw new Error('compactions stopped');
          return start(db);
        });
      behind.set(db, next);
      return next;
    },
    stop() {
      stopping.abort();
    },
  };
}
