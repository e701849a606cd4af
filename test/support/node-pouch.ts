import { Agent } from 'node:http';
import PouchDB from 'pouchdb';
import memoryAdapter from 'pouchdb-adapter-memory';

PouchDB.plugin(memoryAdapter);

let counter = 0;

/** A fresh in-memory PouchDB, standing in for a device's local database. */
export function localDb(prefix = 'device'): PouchDB.Database {
  return new PouchDB(`${prefix}-${process.pid}-${Date.now()}-${counter++}`, { adapter: 'memory' });
}

/**
 * A remote PouchDB that sends the given header (a session cookie or Basic auth) on every
 * request. `keepAlive: false` is for tests that restart the server: PouchDB's node-fetch
 * would otherwise reuse a socket the old server closed and leave the failure unhandled.
 * `onRequest` sees every request PouchDB makes, with the promise of its response.
 */
export function remoteDb(
  url: string,
  header: { cookie: string } | { authorization: string },
  { keepAlive = true, onRequest }: { keepAlive?: boolean; onRequest?: (url: string, response: Promise<unknown>) => void } = {},
): PouchDB.Database {
  const agent = keepAlive ? undefined : new Agent({ keepAlive: false });
  return new PouchDB(url, {
    skip_setup: true,
    fetch: (requestUrl: string | Request, options?: RequestInit) => {
      const headers = options!.headers as Headers;
      for (const [name, value] of Object.entries(header)) headers.set(name, value);
      const response = PouchDB.fetch(requestUrl, agent ? ({ ...options, agent } as RequestInit) : options);
      onRequest?.(typeof requestUrl === 'string' ? requestUrl : requestUrl.url, response);
      return response;
    },
  } as PouchDB.Configuration.RemoteDatabaseConfiguration);
}

export { PouchDB };
