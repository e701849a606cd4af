import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { isFauxtonPath } from './fauxton-access';

/** Helmet's headers: a strict CSP for the PWA, and what Fauxton's own bundle needs on its pages. */
export function securityHeaders() {
  const pwa = helmet({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        // Angular injects component styles at run time.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'connect-src': ["'self'"],
        'worker-src': ["'self'"],
        'manifest-src': ["'self'"],
      },
    },
    // Photos are shown from blob: URLs made of local attachments.
    crossOriginEmbedderPolicy: false,
  });
  const fauxton = helmet({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        // Fauxton (React, jQuery) sets inline styles and shows inline images and icon fonts.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    // Fauxton's calls to CouchDB are recognised by their Referer (see fauxton-access.ts).
    referrerPolicy: { policy: 'same-origin' },
  });
  return (req: Request, res: Response, next: NextFunction) => (isFauxtonPath(req.path) ? fauxton : pwa)(req, res, next);
}
