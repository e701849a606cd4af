/*
 * The e2e server: `npm start` on a data dir emptied first, so every run starts clean. With
 * FIELDBOOK_TEST_SERVER=couchdb it runs on a real CouchDB 3.4 started here (as COUCH_URL with
 * --demo, as an operator would), else on npm start's own embedded server.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCouchDb } from '../../test/support/couchdb-process';
import { freePort } from '../../test/support/free-port';
import { TEST_SERVER } from '../../test/support/test-server';
import { E2E_ADMIN_URL_FILE, E2E_COUCH_PORT, E2E_DATA_DIR } from './e2e-env';

async function main() {
  rmSync(E2E_DATA_DIR, { recursive: true, force: true });
  mkdirSync(E2E_DATA_DIR, { recursive: true });
  if (TEST_SERVER === 'couchdb') {
    const couch = await startCouchDb({ dataDir: join(E2E_DATA_DIR, 'couchdb'), port: E2E_COUCH_PORT, distPort: await freePort() });
    process.env['COUCH_URL'] = couch.adminUrl;
    process.argv.push('--demo');
    writeFileSync(E2E_ADMIN_URL_FILE, couch.adminUrl, { mode: 0o600 });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- after the set-up above: an import would start the server first
  require('../../scripts/start');
}

void main();
