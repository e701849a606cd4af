import { InjectionToken } from '@angular/core';
import { Database, PouchDB } from './pouchdb';
import { withSilentFeedCutoff } from './silent-feed-fetch';

/** Opens the server side of a user's database; tests swap in a local stand-in. */
export const REMOTE_DB_FACTORY = new InjectionToken<(userDb: string) => Database>('REMOTE_DB_FACTORY', {
  factory: () => remoteDb,
});

/** The user's CouchDB database through the same-origin proxy, authenticated by its cookie. */
export function remoteDb(userDb: string): Database {
  const url = new URL(`db/${encodeURIComponent(userDb)}`, document.baseURI).href;
  return new PouchDB<object>(url, {
    skip_setup: true,
    // A live feed silent past its heartbeat is cut, so the replication reconnects.
    fetch: withSilentFeedCutoff((input, init) => fetch(input, { ...init, credentials: 'same-origin' })),
  });
}
