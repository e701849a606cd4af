import type { Logger } from 'pino';

/** How often the sessions no one came back with are deleted. */
const SWEEP_EVERY_MS = 60 * 60_000;

export interface ExpiredSessionSweepOptions {
  /** Deletes the sessions expired before `now` (couch/user-sessions.ts), returns their ids. */
  deleteExpired(now: number): Promise<string[]>;
  logger: Logger;
  everyMs?: number;
}

/**
 * Deletes expired sessions at start and then every hour. The proxy deletes an expired session
 * when its cookie comes back, but a browser cleared or a tablet replaced never comes back: without
 * this every such login stayed in the sessions database for good. A failed sweep (the database
 * server down) is logged and the next one goes on.
 */
export function sweepExpiredSessions({ deleteExpired, logger, everyMs = SWEEP_EVERY_MS }: ExpiredSessionSweepOptions): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const sweep = async () => {
    try {
      const deleted = await deleteExpired(Date.now());
      if (deleted.length > 0) logger.info({ deleted: deleted.length }, 'deleted expired sessions');
    } catch (error) {
      logger.warn({ error: (error as Error).message }, 'could not delete expired sessions');
    }
    if (!stopped) timer = setTimeout(() => void sweep(), everyMs).unref();
  };
  void sweep();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
