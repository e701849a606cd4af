import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/**
 * Logs a request once its response has closed, only if it failed (status >= 400). At the
 * usual level successful requests were never logged anyway, yet pino-http made a child
 * logger and request id for each. Only method, URL, status and duration are logged, never
 * headers (cookies, credentials).
 */
export function logFailure(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const started = Date.now();
  const { method, url } = req;
  res.once('close', () => {
    const { statusCode } = res;
    if (statusCode < 400) return;
    const entry = { req: { method, url }, res: { statusCode }, responseTime: Date.now() - started };
    if (statusCode >= 500) logger.error(entry, 'request failed');
    else logger.info(entry, 'request completed');
  });
}
