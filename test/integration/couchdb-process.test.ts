import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { couchDbAvailable, PortInUseError, startCouchDb } from '../support/couchdb-process';
import { freePort } from '../support/free-port';

/*
 * The harness's real CouchDB, when its port is taken: CouchDB logs `eaddrinuse` and runs on
 * without answering, so a test waited out the full 90 s for /_up before failing.
 */
test(
  'a CouchDB whose HTTP port another process holds is given up at once, as a port in use',
  { skip: !couchDbAvailable() && 'no CouchDB release' },
  async () => {
    // Another process's: it takes connections and hangs up at once.
    const holder = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const dataDir = mkdtempSync(join(tmpdir(), 'fieldbook-port-taken-'));
    try {
      const started = Date.now();
      const port = (holder.address() as AddressInfo).port;
      await assert.rejects(startCouchDb({ dataDir, port, distPort: await freePort() }), PortInUseError);
      assert.ok(Date.now() - started < 60_000, `given up after ${Date.now() - started} ms`);
    } finally {
      holder.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
