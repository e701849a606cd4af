import type { IncomingMessage, ServerResponse } from 'node:http';
import { watchBodyPace, type BodyPace } from './json-body';

/**
 * Bounds what Node does with a body its request was answered before reading whole (a refusal:
 * 401, 403, 413, a push refused as it streamed): it reads and drops the rest to keep the
 * connection usable, and every byte renews that connection's idle limit, so a client trickling
 * it held a socket for as long as it liked. The rest must come at the least body pace asked of
 * any body, or the connection is closed.
 */
export function boundAnsweredBodyDrain(req: IncomingMessage, res: ServerResponse, pace: BodyPace): void {
  res.once('finish', () => {
    if (req.complete || req.destroyed) return;
    watchBodyPace(req, pace, () => req.socket.destroy());
  });
}
