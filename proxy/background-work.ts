import { deleteExpiredSessions } from '../couch/user-sessions';
import { sweepExpiredSessions } from './expired-session-sweep';
import { startHubWork, type HubWorkOptions } from './hub-work';

/**
 * What the proxy does besides answering requests, once per process group (a node:cluster
 * primary does it for its workers; several would only repeat the same writes): the hub work and
 * the sweep of expired sessions.
 */
export function startBackgroundWork(options: HubWorkOptions): { stop(): void } {
  const hub = startHubWork(options);
  const sessions = sweepExpiredSessions({ deleteExpired: (now) => deleteExpiredSessions(options.couch, now), logger: options.logger });
  return {
    stop() {
      hub.stop();
      sessions.stop();
    },
  };
}
