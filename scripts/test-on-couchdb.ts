/**
 * `npm run test:couchdb`: the Node integration tests, the cluster test and the Playwright e2e,
 * on real Apache CouchDB 3.4 started from the release in ../shared/couchdb (FIELDBOOK_TEST_SERVER=couchdb).
 * Without that release it says so plainly and passes: a fresh machine has only the embedded server.
 * `--apps-built` runs Playwright without building the apps first: `npm test` has just built them
 * from the same tree for the e2e on PouchDB Server.
 */
import { spawnSync } from 'node:child_process';
import { COUCHDB_TARBALL, couchDbAvailable } from '../test/support/couchdb-process';

if (!couchDbAvailable()) {
  console.log(`\n*** SKIPPED: the CouchDB 3.4 pass. No CouchDB release at ${COUCHDB_TARBALL} (set FIELDBOOK_COUCHDB_TARBALL). ***\n`);
  process.exit(0);
}
const env = { ...process.env, FIELDBOOK_TEST_SERVER: 'couchdb' };
const appsBuilt = process.argv.includes('--apps-built');
const named = process.argv.slice(2).filter((arg) => arg !== '--apps-built');
for (const script of named.length ? named : ['test:integration', 'test:cluster', appsBuilt ? 'e2e:run' : 'test:e2e']) {
  console.log(`\n=== ${script} on Apache CouchDB 3.4.3 (${COUCHDB_TARBALL}) ===\n`);
  const run = spawnSync('npm', ['run', script], { stdio: 'inherit', env });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
