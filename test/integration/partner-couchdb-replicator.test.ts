import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { couchAdmin, splitCredentials, type CouchAdmin } from '../../couch/couch-admin';
import { disableUser } from '../../couch/users';
import { HUB_DB, partnerDbName } from '../../domain/db-names';
import { startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { startTestServer, TEST_SERVER, type TestServer } from '../support/test-server';

/*
 * A partner runs their own CouchDB and pulls `partner-<name>` through our proxy with CouchDB's
 * own replicator, as a continuous `_replicator` job with Basic auth. PouchDB Server cannot be
 * that partner's source (its open_revs ignores multipart; see COUCH-PROTOCOL.md), so this runs
 * in the CouchDB pass; partner-replication.test.ts covers a PouchDB-based partner on both.
 */
const skip = TEST_SERVER !== 'couchdb' && 'needs CouchDB on both sides: runs with FIELDBOOK_TEST_SERVER=couchdb';

let stack: TestStack;
let partnerServer: TestServer;
let partner: CouchAdmin;
let partnerDir: string;

const approved = (title: string, partners: string[]) => inspection('alice', { title, status: 'approved', partners, updatedBy: 'sam' });

before(async () => {
  if (skip) return;
  stack = await startTestStack({ alice: 'inspector', sam: 'supervisor', acme: 'partner', globex: 'partner' });
  partnerDir = mkdtempSync(join(tmpdir(), 'fieldbook-partner-couchdb-'));
  partnerServer = await startTestServer(partnerDir, 'couchdb');
  partner = couchAdmin(partnerServer.adminUrl);
});
after(async () => {
  if (skip) return;
  try {
    await partnerServer?.stop();
    if (partnerDir) rmSync(partnerDir, { recursive: true, force: true });
  } finally {
    await stack?.stop();
  }
});

/** A `_replicator` job on the partner's server, as the partner's admin would write it. */
function job(id: string, source: object | string, target: object | string) {
  // Checkpoints every 5 s rather than CouchDB's 30 s, so the test sees one soon.
  return partner
    .use('_replicator')
    .insert({ _id: id, source, target, continuous: true, create_target: true, checkpoint_interval: 5_000 } as never);
}

const throughProxy = (dbName: string, user = 'acme', password = TEST_PASSWORD) => ({
  url: `${stack.proxy.url}/db/${dbName}`,
  auth: { basic: { username: user, password } },
});
const onPartner = (dbName: string) => {
  const { url, name, password } = splitCredentials(partnerServer.adminUrl);
  return { url: `${url}/${dbName}`, auth: { basic: { username: name, password } } };
};

async function hasDoc(db: CouchAdmin, dbName: string, id: string): Promise<boolean> {
  return db
    .use(dbName)
    .get(id)
    .then(
      () => true,
      () => false,
    );
}

async function schedulerState(id: string): Promise<{ state: string; info?: unknown }> {
  return (await partner.request({ path: `_scheduler/docs/_replicator/${id}` }).catch(() => ({ state: 'unknown' }))) as {
    state: string;
    info?: unknown;
  };
}

describe('a partner’s CouchDB replicator, through the proxy', { skip }, () => {
  test('a continuous job pulls the approvals shared with the partner, and new ones as they come', async () => {
    const first = approved('Shared before the job', ['acme']);
    const notShared = approved('Not shared', []);
    await stack.admin.use(HUB_DB).bulk({ docs: [first, notShared] });
    await job('from-fieldbook', throughProxy(partnerDbName('acme')), onPartner('fieldbook-copy'));
    await waitFor(() => hasDoc(partner, 'fieldbook-copy', first._id), 60_000, 'the first approval on the partner’s server');

    const later = approved('Shared while the job runs', ['acme']);
    await stack.admin.use(HUB_DB).insert(later as never);
    await waitFor(() => hasDoc(partner, 'fieldbook-copy', later._id), 60_000, 'the later approval on the partner’s server');
    assert.equal(await hasDoc(partner, 'fieldbook-copy', notShared._id), false);
    // Still running after its checkpoints (the first one comes within 5 s): none was refused.
    const checkpointed = async () =>
      ((await schedulerState('from-fieldbook')).info as { checkpointed_source_seq?: unknown } | undefined)?.checkpointed_source_seq;
    await waitFor(async () => ![undefined, 0, '0'].includes((await checkpointed()) as never), 60_000, 'a checkpoint');
    assert.equal((await schedulerState('from-fieldbook')).state, 'running');
  });

  test('the job survives a proxy restart and goes on pulling', async () => {
    await stack.restartProxy();
    const afterRestart = approved('Shared after a proxy restart', ['acme']);
    await stack.admin.use(HUB_DB).insert(afterRestart as never);
    // The restart ends the job's continuous feed as a complete response, so the replicator asks
    // again at once. Cut instead, it waited 30 s on the dead stream and crashed the job, which
    // CouchDB's scheduler restarts after a 30 s backoff on its next pass (every 60 s): 1–2 minutes.
    await waitFor(() => hasDoc(partner, 'fieldbook-copy', afterRestart._id), 25_000, 'the approval after the restart');
    assert.equal((await schedulerState('from-fieldbook')).state, 'running', 'the job never crashed');
  });

  test('pushes into the partner database and pulls of other databases are refused', async () => {
    await partner.use('fieldbook-copy').insert(inspection('acme', { status: 'draft', title: 'Pushed by the partner' }) as never);
    await job('push-back', onPartner('fieldbook-copy'), throughProxy(partnerDbName('acme')));
    await job('other-partner', throughProxy(partnerDbName('globex')), onPartner('globex-copy'));
    await job('the-hub', throughProxy(HUB_DB), onPartner('hub-copy'));
    for (const id of ['push-back', 'other-partner', 'the-hub']) {
      const refused = await waitFor(
        async () => {
          const status = await schedulerState(id);
          return ['crashing', 'failed', 'error'].includes(status.state) && status;
        },
        60_000,
        `${id} to be refused`,
      );
      assert.match(JSON.stringify(refused.info), /forbidden|unauthorized|403|401/i, id);
    }
    const { rows } = await stack.admin.use(partnerDbName('acme')).list();
    const titles = await Promise.all(
      rows
        .filter((row) => !row.id.startsWith('_design/'))
        .map(async (row) => ((await stack.admin.use(partnerDbName('acme')).get(row.id)) as { title?: string }).title),
    );
    assert.ok(!titles.includes('Pushed by the partner'), 'nothing of the partner’s reached the partner database');
  });

  test('a partner disabled while their job waits on its feed: the job fails as unauthorized at once', async () => {
    // Idle and checkpointed, so nothing but its feed speaks to the proxy.
    const idle = async () => {
      const { state, info } = (await schedulerState('from-fieldbook')) as {
        state: string;
        info?: { changes_pending?: number | null; checkpointed_source_seq?: unknown; source_seq?: unknown };
      };
      return state === 'running' && info?.changes_pending === 0 && info.checkpointed_source_seq === info.source_seq;
    };
    await waitFor(idle, 60_000, 'the job idle and checkpointed');
    await disableUser(stack.admin, 'acme');
    // The proxy ends the feed as a complete response, so the replicator asks again at once and is
    // refused: it fails as unauthorized. Cut mid-stream, it waited 30 s on the dead stream and
    // failed on that (`changes_reader_died`, timeout), which the reason tells apart.
    const failed = await waitFor(
      async () => {
        const status = await schedulerState('from-fieldbook');
        return status.state === 'crashing' && status;
      },
      60_000,
      'the job to fail',
    );
    assert.match(JSON.stringify(failed.info), /401|unauthorized/);
  });
});
