import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bootstrap } from '../../couch/bootstrap';
import { couchAdmin, splitCredentials, type CouchAdmin } from '../../couch/couch-admin';
import { setServerAdmin } from '../support/server-admin';
import { HUB_DB } from '../../domain/db-names';
import { userDbName } from '../../domain/user-db-name';
import { inspection } from '../fixtures/documents';
import { startTestStack, type TestStack } from '../support/couch-harness';
import { waitFor } from '../support/fixtures';

/*
 * A COUCH_URL whose admin password must be percent-encoded in the URL. On CouchDB the
 * replication jobs used to carry that URL, which CouchDB's replicator does not decode: every
 * job failed to log in, and its retries locked the admin account out.
 */
const PASSWORD = 'p@ss:w%rd/1';
const SESSION_TIMEOUT_S = 30 * 24 * 3600;

let stack: TestStack;
let couch: CouchAdmin;
before(async () => {
  stack = await startTestStack({ alice: 'inspector' });
  await setServerAdmin(stack.admin, 'operator', PASSWORD);
  couch = couchAdmin(`${splitCredentials(stack.couch.adminUrl).url.replace('://', `://operator:${encodeURIComponent(PASSWORD)}@`)}`);
});
after(() => stack?.stop());

const jobRevisions = async () =>
  Promise.all(['fanin-alice', 'assign-alice'].map(async (id) => ((await stack.admin.use('_replicator').get(id)) as { _rev: string })._rev));

describe('an admin password that needs percent-encoding in COUCH_URL', () => {
  test("the bootstrap's replication jobs run with it", async () => {
    await bootstrap(couch, { sessionTimeoutSeconds: SESSION_TIMEOUT_S });
    const doc = inspection('alice');
    await stack.admin.use(userDbName('alice')).insert(doc as never);
    // Fan-in: alice's database into the hub.
    await waitFor(
      () =>
        stack.admin
          .use(HUB_DB)
          .get(doc._id)
          .then(Boolean, () => false),
      60_000,
      `${doc._id} in the hub, replicated by the jobs the bootstrap wrote with ${stack.couch.kind === 'couchdb' ? 'CouchDB' : 'PouchDB Server'}`,
    );
  });

  test('a second bootstrap leaves the jobs as they are', async () => {
    const before = await jobRevisions();
    await bootstrap(couch, { sessionTimeoutSeconds: SESSION_TIMEOUT_S });
    assert.deepEqual(await jobRevisions(), before);
  });
});
