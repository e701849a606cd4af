import { InjectionToken } from '@angular/core';
import { Database, PouchDB } from './pouchdb';
import { withServerDbId } from './server-db-id';
import { withSilentFeedCutoff } from './silent-feed-fetch';

/**
 * Opens the server side of a user's database; its requests still running when `ended` aborts
 * are aborted too. Tests swap in a local stand-in.
 */
export const REMOTE_DB_FACTORY = new InjectionToken<(userDb: string, ended?: AbortSignal) => Database>('REMOTE_DB_FACTORY', {
  factory: () => remoteDb,
});

/** The user's CouchDB database through the same-origin proxy, authenticated by its cookie. */
export function remoteDb(userDb: string, ended?: AbortSignal): Database {
  const dbSegment = encodeURIComponent(userDb);
  const rootUrl = new URL('db/', document.baseURI).href;
  // A live feed silent past its heartbeat is cut, so the replication reconnects.
  const serverFetch = withSilentFeedCutoff((input, init) =>
    fetch(input, {
      ...init,
      signal: untilEither(init?.signal, ended),
      credentials: 'same-origin',
      headers: bypassServiceWorker(init?.headers),
    }),
  );
  const db = new PouchDB<object>(rootUrl + dbSegment, { skip_setup: true, fetch: serverFetch });
  return withServerDbId(db, { rootUrl, dbSegment, fetch: serverFetch, store: localStorage });
}

/**
 * Server traffic goes straight to the network: the service worker keeps the app shell and has
 * nothing to add to the database's requests, which would otherwise each pass through it as a
 * fetch event (a first pull's pages, every live feed held open for its heartbeat, photos as they
 * stream in) and wait on it whenever it is busy or being updated.
 */
function bypassServiceWorker(headers: HeadersInit | undefined): Headers {
  const bypassing = new Headers(headers);
  bypassing.set('ngsw-bypass', 'true');
  return bypassing;
}

/** A request's own signal (PouchDB's, the feed cutoff's), ended early by its database's `ended` too. */
function untilEither(own: AbortSignal | null | undefined, ended: AbortSignal | undefined): AbortSignal | undefined {
  const signals = [own, ended].filter((signal): signal is AbortSignal => !!signal);
  return signals.length > 1 ? AbortSignal.any(signals) : signals[0];
}
