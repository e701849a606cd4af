import { join } from 'node:path';
import { startEmbeddedCouch } from '../../couch/embedded-couch';
import { PortInUseError, startCouchDb } from './couchdb-process';
import { freePorts } from './free-port';

/** Which server the suite runs on: the embedded PouchDB Server (default) or real CouchDB 3.4 (`FIELDBOOK_TEST_SERVER=couchdb`). */
export type TestServerKind = 'pouchdb-server' | 'couchdb';

export const TEST_SERVER: TestServerKind = process.env['FIELDBOOK_TEST_SERVER'] === 'couchdb' ? 'couchdb' : 'pouchdb-server';

export interface TestServer {
  kind: TestServerKind;
  /** Base URL without credentials. */
  url: string;
  /** Base URL with the server admin's credentials. */
  adminUrl: string;
  /** Stops the server and starts it again on the same data and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A fresh server of the suite's kind in `dataDir`, on free ports, stopped with the test process whatever happens. */
export async function startTestServer(dataDir: string, kind: TestServerKind = TEST_SERVER): Promise<TestServer> {
  const [port, distPort] = await freePorts(2);
  if (kind === 'couchdb') {
    const couch = await startCouchDb({ dataDir, port: port!, distPort: distPort! }).catch(async (error: unknown) => {
      // Another process took a port between our pick and CouchDB's listen: once more, on others.
      if (!(error instanceof PortInUseError)) throw error;
      const [retryPort, retryDistPort] = await freePorts(2);
      // A data dir of its own: the first one's settings name the taken port.
      return startCouchDb({ dataDir: join(dataDir, 'again'), port: retryPort!, distPort: retryDistPort! });
    });
    return { kind, url: couch.url, adminUrl: couch.adminUrl, restart: couch.restart, stop: couch.stop };
  }
  let couch = await startEmbeddedCouch({ dataDir, port: port! });
  return {
    kind,
    url: couch.url,
    adminUrl: couch.adminUrl,
    async restart() {
      await couch.stop();
      couch = await startEmbeddedCouch({ dataDir, port: port! });
    },
    stop: () => couch.stop(),
  };
}
