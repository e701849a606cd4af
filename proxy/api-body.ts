import express, { type Request, type RequestHandler } from 'express';
import { sendBodyRefusal, watchBodyPace, type BodyPace } from './json-body';

/**
 * The JSON body parser of the proxy's own API: logins and admin changes are small. Any JSON is
 * read (`null` is JSON too): a body that is no object gets the route's "send ..." (bodyOf).
 */
export const smallJson = express.json({ limit: '16kb', strict: false });

/**
 * A body sent to the proxy's own API must keep the pace `/db` asks (408 and the connection
 * closed otherwise): the JSON parser waits for a body as long as the client likes, and the
 * server sets no request timeout (live feeds are long), so half a login sent and no more held
 * its connection for good, with no login needed.
 */
export function pacedBody(pace: BodyPace): RequestHandler {
  return (req, res, next) => {
    if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0) {
      // From when a route reads the body: listening for its data before would start it flowing
      // with no reader yet, and the parser would miss what came first.
      req.once('resume', () => {
        const stop = watchBodyPace(req, pace, (refusal) => sendBodyRefusal(res, refusal));
        res.once('close', stop);
      });
    }
    next();
  };
}

/** The parsed JSON body as an object; anything else (an array, a string, no body) as an empty one. */
export function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
