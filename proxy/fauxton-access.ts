import type { NextFunction, Request, Response } from 'express';
import { isDatabaseName } from './access-policy';
import { isAdminCaller } from './admin-caller';
import { badRequest, forbidden } from './couch-error';
import type { CouchForward, ForwardPolicy } from './couch-forward';

/**
 * Fauxton for Fieldbook admins through the proxy, at `/_utils/` as on CouchDB.
 *
 * Fauxton assumes it is served by CouchDB itself: it calls CouchDB at the origin's root
 * (`../..` from its page, and `window.location.origin` in places), and its router only runs
 * on pages under `/_utils/`. The PWA owns the root, so Fauxton's calls are told apart by
 * where they come from: a request that is not a page navigation and whose Referer is a
 * Fauxton page (which gets `Referrer-Policy: same-origin` for this) goes to CouchDB for an
 * admin, and is refused for anyone else (401 or 403); everything else takes the PWA's routes. Requests go to CouchDB as the
 * admin themselves (a Fieldbook admin is a CouchDB server admin), never with the proxy's
 * own credentials.
 */
const FAUXTON_PREFIX = '/_utils';

export function isFauxtonPath(path: string): boolean {
  return path === FAUXTON_PREFIX || path.startsWith(`${FAUXTON_PREFIX}/`);
}

/** Everything for admins but the replication documents, nothing for anyone else. */
export const fauxtonPolicy: ForwardPolicy = (method, rawPath, _query, caller) => {
  if (!isAdminCaller(caller)) return { allow: false, ...forbidden('Only administrators may use Fauxton.') };
  const database = firstSegment(rawPath);
  if (database === null) return { allow: false, ...badRequest('Percent-encode the path: it does not decode.') };
  // PouchDB Server reads a database name as a file name, dropping "/", "?", a final "." and more:
  // `_replicator%2F` was `_replicator` there. Names CouchDB accepts have none of them.
  if (database !== '' && !isDatabaseName(database)) return { allow: false, ...forbidden('This path is not allowed.') };
  // The jobs' documents carry the server admin's password for CouchDB to replicate with, and the
  // browser never sees it (nor would a demoted admin keep it); `_scheduler/docs` shows their states.
  if (database === '_replicator') {
    return { allow: false, ...forbidden('Replication documents hold the server’s credentials: see the jobs in Fieldbook’s admin view.') };
  }
  // A one-off replication from `_replicator` into a database of one's own would copy them out;
  // Fauxton's replication page writes `_replicator` documents and never calls it.
  if (database === '_replicate') {
    return {
      allow: false,
      ...forbidden('One-off replications are not run from Fauxton: Fieldbook’s admin view runs the replication jobs.'),
    };
  }
  const serverRefusal = serverPathRefusal(method, rawPath);
  if (serverRefusal) return { allow: false, ...forbidden(serverRefusal) };
  // Fauxton's own login would give CouchDB cookies the proxy strips; the Fieldbook session is the login.
  if (/^\/_session\/?$/.test(rawPath) && method !== 'GET' && method !== 'HEAD') {
    return { allow: false, ...forbidden('Log in and out through Fieldbook.') };
  }
  return { allow: true, targetPath: rawPath };
};

/** What a node shows an admin: its statistics and versions, and its configuration but for the credentials in it. */
const NODE_READS = new Set(['_stats', '_system', '_versions', '_prometheus']);
/**
 * Configuration sections holding credentials: server admins' hashes (`admins`), the secret that
 * signs every session cookie (`chttpd_auth`, `couch_httpd_auth` on PouchDB Server), JWT keys.
 */
const CREDENTIAL_SECTIONS = new Set(['admins', 'chttpd_auth', 'couch_httpd_auth', 'jwt_keys']);

/**
 * Why a call on the server itself is refused, or null. A node's other paths open its shards as
 * databases (`/_node/_local/shards%2F…%2F_replicator.…` read the jobs' documents, the server
 * admin's password in them); a configuration write could make a server admin that outlives the
 * Fieldbook admin's demotion; adding a node to the cluster would copy every database to it.
 * CouchDB's configuration is `/_node/<node>/_config`, PouchDB Server's `/_config`.
 */
function serverPathRefusal(method: string, rawPath: string): string | null {
  // In lower case: PouchDB Server's routes ignore it.
  const segments = pathSegments(rawPath)?.map((segment) => segment.toLowerCase());
  if (!segments) return 'Percent-encode the path: it does not decode.';
  const [first, , third] = segments;
  const reads = method === 'GET' || method === 'HEAD';
  if (first === '_cluster_setup') return reads ? null : 'The cluster is set up by its operator, not from Fauxton.';
  if (first === '_config') return configRefusal(segments.slice(1), reads);
  if (first !== '_node') return null;
  if (segments.length <= 2 || NODE_READS.has(third)) return reads ? null : 'A node is only looked at from Fauxton.';
  if (third === '_config') return configRefusal(segments.slice(3), reads);
  return 'Only a node’s statistics, versions and configuration are shown in Fauxton.';
}

function configRefusal(path: readonly string[], reads: boolean): string | null {
  if (!reads) return 'The configuration is changed in local.ini, not from Fauxton.';
  if (path.length === 0) return 'The whole configuration holds the server’s credentials: read it by section.';
  return CREDENTIAL_SECTIONS.has(path[0]) ? 'This configuration section holds the server’s credentials.' : null;
}

/** A path's first segment (the database), decoded as CouchDB reads it (empty segments skipped); null when it does not decode. */
function firstSegment(rawPath: string): string | null {
  const segments = pathSegments(rawPath);
  return segments ? (segments[0] ?? '') : null;
}

/** A path's segments, decoded one by one as CouchDB reads them (empty ones skipped); null when one does not decode. */
function pathSegments(rawPath: string): string[] | null {
  try {
    return rawPath
      .split('/')
      .filter((segment) => segment !== '')
      .map(decodeURIComponent);
  } catch {
    return null;
  }
}

/** Fauxton's page and files for admins (403 for others), and the calls its pages make. */
export function fauxtonTraffic(forwardToCouch: CouchForward) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (!isFauxtonPath(req.path) && !isFromFauxtonPage(req)) return next();
      // A call from a Fauxton page whose session ended (or is no admin's) is told so, 401 or 403,
      // as the page itself is: the app's "missing" for it left Fauxton saying databases were gone.
      await forwardToCouch(req, res, req.url);
    } catch (error) {
      next(error);
    }
  };
}

function isFromFauxtonPage(req: Request): boolean {
  const referer = req.headers.referer;
  if (!referer || req.headers['sec-fetch-mode'] === 'navigate') return false;
  try {
    const from = new URL(referer);
    return from.host === req.headers.host && isFauxtonPath(from.pathname);
  } catch {
    return false;
  }
}
