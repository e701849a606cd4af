import { Database } from './pouchdb';

const KEY_PREFIX = 'fieldbook.serverUuid:';

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export interface ServerDbIdDeps {
  /** The server root, one level above the database: where CouchDB says its `uuid`. */
  rootUrl: string;
  /** The database's segment of its URL, as PouchDB appends it to the uuid. */
  dbSegment: string;
  fetch: Fetch;
  store: Pick<Storage, 'getItem' | 'setItem'>;
}

/**
 * Gives a server database a stable id, learnt once and kept.
 *
 * PouchDB names a replication's checkpoint after the ids of its two databases, and asks a
 * server database for its id (the server root's `uuid` and the database's name) at every start
 * and every retry of a replication. When that one request fails (the network not quite back, the
 * session expired, the server restarting) PouchDB answers the database's URL instead: another
 * name, with no checkpoint, so the pull starts again from sequence 0 and brings back every
 * inspection archived or unassigned off the tablet (a purge keeps them away only as long as the
 * checkpoint is past them). Here the server's uuid is learnt from the first answer and kept
 * across reloads and users (it names the server, nothing of a user's); until it is known, a start
 * fails like any request without an answer, with the root's status, and PouchDB retries it.
 */
export function withServerDbId(db: Database, { rootUrl, dbSegment, fetch, store }: ServerDbIdDeps): Database {
  const key = KEY_PREFIX + rootUrl;
  const learn = async (): Promise<string> => {
    const response = await fetch(rootUrl);
    const body = (await response.json().catch(() => ({}))) as { uuid?: string; error?: string; reason?: string };
    if (!response.ok || !body.uuid)
      throw Object.assign(new Error(body.reason ?? `The server root answered ${response.status} without its uuid`), {
        status: response.ok ? 502 : response.status,
        name: body.error ?? 'bad_gateway',
      });
    store.setItem(key, body.uuid);
    return body.uuid;
  };
  // PouchDB's own form, so the checkpoints of tablets that synced before this carry on.
  Object.assign(db, { id: async () => (store.getItem(key) ?? (await learn())) + dbSegment });
  return db;
}
