import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { couchAdmin, type CouchAdmin } from '../../couch/couch-admin';
import { startEmbeddedCouch, type EmbeddedCouch } from '../../couch/embedded-couch';
import { HUB_DB, partnerDbName } from '../../domain/db-names';
import { userDbName } from '../../domain/user-db-name';
import { basicAuth, startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { defect, inspection } from '../fixtures/documents';
import { fakeJpeg, waitFor } from '../support/fixtures';
import { freePort } from '../support/free-port';

let stack: TestStack;
/** The partner's own server: a second, independent PouchDB Server. */
let partnerServer: EmbeddedCouch;
let partnerAdmin: CouchAdmin;
let partnerDir: string;

const photo = fakeJpeg(50 * 1024);
const shared = inspection('alice', { title: 'Shared with acme', status: 'approved', partners: ['acme'], updatedBy: 'sam' });
const sharedDefect = {
  ...defect('alice', shared._id),
  partners: ['acme'],
  _attachments: { 'leak.jpg': { content_type: 'image/jpeg', data: photo.toString('base64') } },
};
const notShared = inspection('alice', { title: 'Approved, not shared', status: 'approved', updatedBy: 'sam' });
const notApproved = inspection('alice', { title: 'Shared but not approved', status: 'submitted', partners: ['acme'] });
const unsharedDefect = defect('alice', shared._id);
const otherPartners = inspection('alice', { title: 'Shared with globex', status: 'approved', partners: ['globex'], updatedBy: 'sam' });

before(async () => {
  stack = await startTestStack({ alice: 'inspector', sam: 'supervisor', acme: 'partner', globex: 'partner' });
  await stack.admin.use(HUB_DB).bulk({ docs: [shared, sharedDefect, notShared, notApproved, unsharedDefect, otherPartners] });
  partnerDir = mkdtempSync(join(tmpdir(), 'fieldbook-partner-'));
  partnerServer = await startEmbeddedCouch({ dataDir: partnerDir, port: await freePort() });
  partnerAdmin = couchAdmin(partnerServer.adminUrl);
});
after(async () => {
  try {
    await partnerServer?.stop();
    if (partnerDir) rmSync(partnerDir, { recursive: true, force: true });
  } finally {
    await stack?.stop();
  }
});

const proxyDbUrl = (dbName: string, user = 'acme') => {
  const url = new URL(`${stack.proxy.url}/db/${dbName}`);
  url.username = user;
  url.password = TEST_PASSWORD;
  return url.toString();
};

/** Ids of a database's documents, design docs aside. */
async function docIds(db: ReturnType<CouchAdmin['use']>) {
  const { rows } = await db.list();
  return rows
    .map((row) => row.id)
    .filter((id) => !id.startsWith('_design/'))
    .sort();
}

describe('partner replication', () => {
  test('the partner’s server pulls exactly the approved docs shared with them, with attachments', async () => {
    const expected = [shared._id, sharedDefect._id].sort();
    await waitFor(
      async () => (await docIds(stack.admin.use(partnerDbName('acme')))).length === expected.length,
      60_000,
      'the hub to feed partner-acme',
    );

    const result = (await partnerAdmin.request({
      method: 'POST',
      path: '_replicate',
      body: { source: proxyDbUrl(partnerDbName('acme')), target: 'acme-copy', create_target: true },
    })) as { ok: boolean; docs_written: number };
    assert.equal(result.ok, true);
    const copy = partnerAdmin.use('acme-copy');
    assert.deepEqual(await docIds(copy), expected);
    const stored = await copy.attachment.get(sharedDefect._id, 'leak.jpg');
    assert.ok(photo.equals(stored), 'the photo arrives byte for byte');
  });

  test('the partner cannot write into their partner database through the proxy', async () => {
    await partnerAdmin.use('acme-copy').insert({ ...inspection('acme', { status: 'draft' }) } as never);
    const push = partnerAdmin.request({
      method: 'POST',
      path: '_replicate',
      body: { source: 'acme-copy', target: proxyDbUrl(partnerDbName('acme')) },
    });
    await assert.rejects(push, { statusCode: 403, message: 'This database is read-only for you.' });
    assert.deepEqual(await docIds(stack.admin.use(partnerDbName('acme'))), [shared._id, sharedDefect._id].sort());

    const headers = { authorization: basicAuth('acme'), 'content-type': 'application/json' };
    const put = await fetch(`${stack.proxy.url}/db/${partnerDbName('acme')}/inspection:${randomUUID()}`, {
      method: 'PUT',
      headers,
      body: '{}',
    });
    assert.equal(put.status, 403);
    const bulk = await fetch(`${stack.proxy.url}/db/${partnerDbName('acme')}/_bulk_docs`, { method: 'POST', headers, body: '{"docs":[]}' });
    assert.equal(bulk.status, 403);
  });

  test('the partner reads no other database: not another partner’s, the hub or a user’s', async () => {
    for (const dbName of [partnerDbName('globex'), HUB_DB, userDbName('alice'), userDbName('acme')]) {
      for (const path of ['', '/_changes', '/_all_docs']) {
        const response = await fetch(`${stack.proxy.url}/db/${dbName}${path}`, { headers: { authorization: basicAuth('acme') } });
        assert.equal(response.status, 403, `${dbName}${path}`);
        assert.equal(((await response.json()) as { error: string }).error, 'forbidden');
      }
    }
  });
});
