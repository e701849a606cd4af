import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Files the service worker uses to find new versions: they must never come from a cache. */
const ALWAYS_FRESH = new Set([
  'index.html',
  'ngsw.json',
  'ngsw-worker.js',
  'safety-worker.js',
  'worker-basic.min.js',
  'manifest.webmanifest',
]);
const HASHED = /\.[0-9a-z]{8,}\.(js|css|woff2?|png|jpe?g|svg|webp)$/i;

/** Serves the built PWA, with index.html for client-side routes. */
export function staticPwa(dir: string) {
  const serve = express.static(dir, {
    index: false,
    setHeaders(res, path) {
      const file = path.slice(path.lastIndexOf('/') + 1);
      if (ALWAYS_FRESH.has(file)) res.setHeader('Cache-Control', 'no-cache');
      else if (HASHED.test(file)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else res.setHeader('Cache-Control', 'public, max-age=3600');
    },
  });
  const index = join(dir, 'index.html');

  return [
    serve,
    (req: Request, res: Response, next: NextFunction) => {
      // Only page navigations get the app shell; API-style requests get a JSON 404.
      const isNavigation = (req.method === 'GET' || req.method === 'HEAD') && (req.headers.accept ?? '').includes('text/html');
      if (!isNavigation || req.path.startsWith('/_') || /\.[a-z0-9]+$/i.test(req.path)) return next();
      if (!existsSync(index)) {
        res.status(503).type('text/plain').send('The app is not built yet: run "npm run build".');
        return;
      }
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    },
  ];
}
