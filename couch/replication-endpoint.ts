import { splitCredentials, type CouchAdmin } from './couch-admin';
import { serverFlavour } from './server-flavour';

/** A `_replicator` endpoint: a local database name (PouchDB Server), or a URL and the credentials to use there (CouchDB). */
export type ReplicationEndpoint = string | { url: string; auth: { basic: { username: string; password: string } } };

/**
 * How a `_replicator` job names a database of the server it runs on.
 *
 * CouchDB 3 takes URLs only, so the endpoint is the URL the bootstrap reached the server at,
 * with the server admin's credentials beside it in `auth.basic` (CouchDB 3.2 and later; it
 * is why `_replicator` is admin-only). Not in the URL: CouchDB's replicator does not decode
 * a percent-encoded password there, so a password such as "p@ssword" failed every job, and
 * their retries locked the admin account out. PouchDB Server's replicator runs inside the
 * server and opens a local name directly, with no credentials. That is also the only way a
 * Mango `selector` works there: over HTTP it answers `_changes?filter=_selector` with 404.
 */
export async function replicationEndpoint(couch: CouchAdmin, dbName: string): Promise<ReplicationEndpoint> {
  if ((await serverFlavour(couch)) === 'pouchdb-server') return dbName;
  const { url, name, password } = splitCredentials(couch.config.url);
  return { url: `${url}/${encodeURIComponent(dbName)}`, auth: { basic: { username: name, password } } };
}
