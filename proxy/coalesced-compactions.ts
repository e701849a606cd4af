export interface Compactions {
  /** Compacts the database soon: now if none is under way, else once more after the one that is. */
  request(db: string): void;
  /** Starts none from now on. */
  stop(): void;
}

/**
 * Compactions asked of the server for databases, coalesced: at most one under way per
 * database and one more waiting behind it, so a burst of requests costs two at most. The one
 * behind is needed: the one under way may have begun before the write that asked for it
 * (PouchDB Server compacts up to where the database's changes were when it began). `compact`
 * settles when the server has answered; `failed` hears what it refused.
 */
export function coalescedCompactions(compact: (db: string) => Promise<unknown>, failed: (db: string, error: Error) => void): Compactions {
  /** The databases with a compaction under way, each with whether another was asked for meanwhile. */
  const underWay = new Map<string, boolean>();
  let stopped = false;
  const run = async (db: string): Promise<void> => {
    underWay.set(db, false);
    await compact(db).catch((error: Error) => failed(db, error));
    const again = underWay.get(db)! && !stopped;
    underWay.delete(db);
    if (again) await run(db);
  };
  return {
    request(db) {
      if (stopped) return;
      if (underWay.has(db)) underWay.set(db, true);
      else void run(db);
    },
    stop() {
      stopped = true;
    },
  };
}
