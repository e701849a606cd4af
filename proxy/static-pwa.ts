import { existsSync } from 'node:fs';
import { join } from 'node:path';
import compression from 'compression';
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
/** The names Angular's builder gives what it hashes (`chunk-3SDFWYO3.js`): cacheable for good. */
const HASHED = /-[0-9A-Z]{8}\.(js|css|woff2?|png|jpe?g|svg|webp)$/;

/**
 * Serves the built PWA, with index.html for client-side routes, compressed for clients that
 * accept it: a tablet's first visit (or an update) fetches the whole app, 1.5 MB of scripts,
 * about 0.45 MB compressed, often over a cellular link. Compressed per response (brotli at the
 * library's quality 4 or gzip, about 80 ms of CPU for the whole app) rather than ahead at build
 * time: nothing to keep in step with a rebuilt app, and each tablet fetches each hashed file
 * once per release (it is cached immutable, then served by its service worker).
 */
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
    compression(),
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
