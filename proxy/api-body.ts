import express, { type Request } from 'express';

/** The JSON body parser of the proxy's own API: logins and admin changes are small. */
export const smallJson = express.json({ limit: '16kb' });

/** The parsed JSON body as an object; anything else (an array, a string, no body) as an empty one. */
export function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
