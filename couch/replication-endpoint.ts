import type { CouchAdmin } from './couch-admin';
import { serverFlavour } from './server-flavour';

/**
 * How a `_replicator` job names a database of the server it runs on.
 *
 * CouchDB 3 takes URLs only, so the endpoint carries the server admin's credentials (which
 * is why `_replicator` is admin-only); it is the URL the bootstrap reached the server at.
 * PouchDB Server's replicator runs inside the server and opens a local name directly. That
 * is also the only way a Mango `selector` works there: over HTTP it answers
 * `_changes?filter=_selector` with 404.
 */
export async function replicationEndpoint(couch: CouchAdmin, dbName: string): Promise<string> {
  if ((await serverFlavour(couch)) === 'pouchdb-server') return dbName;
  return `${couch.config.url.replace(/\/+$/, '')}/${encodeURIComponent(dbName)}`;
}
