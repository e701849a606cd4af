import type { CouchAdmin } from './couch-admin';

/** CouchDB 3 in production, PouchDB Server 4.2 embedded; they differ in config, replicator and scheduler APIs. */
export type ServerFlavour = 'couchdb' | 'pouchdb-server';

/** Tells the flavour from the server root's answer (`GET /`): only CouchDB says `"couchdb": "Welcome"`. */
export function flavourOf(root: { couchdb?: unknown }): ServerFlavour {
  return root.couchdb === 'Welcome' ? 'couchdb' : 'pouchdb-server';
}

const known = new WeakMap<CouchAdmin, ServerFlavour>();

export async function serverFlavour(couch: CouchAdmin): Promise<ServerFlavour> {
  let flavour = known.get(couch);
  if (!flavour) {
    flavour = flavourOf((await couch.request({ path: '' })) as { couchdb?: unknown });
    known.set(couch, flavour);
  }
  return flavour;
}
