import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { couchAdmin, type CouchAdmin } from '../../couch/couch-admin';
import { startEmbeddedCouch, type EmbeddedCouch } from '../../couch/embedded-couch';
import { HUB_DB, partnerDbName } from '../../domain/db-names';
import { userDbName } from '../../domain/user-db-name';
import { basicAuth, startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { defect, inspection } from '../fixtures/documents';
import { fakeJpeg, waitFor } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { metricValue } from '../support/metric-value';
import { seqNumber } from '../support/seq-number';
import type { ChangeRow } from '../../proxy/changes-follower';
import { HUB_WORK_CHECKPOINT_ID } from '../../proxy/hub-work';
import type { SharedDoc } from '../../proxy/partner-withdrawal';
import { watchPartnerShares } from '../../proxy/partner-withdrawal-watch';

let stack: TestStack;
/** The partner's own server: a second, independent PouchDB Server. */
let partnerServer: EmbeddedCouch;
let partnerAdmin: CouchAdmin;
let partnerDir: string;

const photo = fakeJpeg(50 * 1024);
const shared = inspection('alice', { title: 'Shared with acme', status: 'approved', partners: ['acme'], updatedBy: 'sam' });
const sharedDefect = {
  ...defect('alice', shared._id),
  inspectionStatus: 'approved',
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
    // A new document posted (PouchDB's `db.post`) is a write like any other: refused as one, as CouchDB refuses it.
    const post = await fetch(`${stack.proxy.url}/db/${partnerDbName('acme')}`, { method: 'POST', headers, body: '{}' });
    assert.equal(post.status, 403);
    assert.equal(((await post.json()) as { reason: string }).reason, 'This database is read-only for you.');
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

  test('an approval reopened is withdrawn from the partner, its old revisions too, and from their own server at its next pull', async () => {
    const hub = stack.admin.use(HUB_DB);
    const partnerDb = stack.admin.use(partnerDbName('acme'));
    const approval = inspection('alice', { title: 'Approved, then reopened', status: 'approved', partners: ['acme'], updatedBy: 'sam' });
    const approvedDefect = { ...defect('alice', approval._id), inspectionStatus: 'approved', partners: ['acme'] };
    const written = await hub.bulk({ docs: [approval, approvedDefect] });
    const ids = [approval._id, approvedDefect._id];
    await waitFor(async () => (await live(partnerDb, ids)).length === 2, 60_000, 'the approval in partner-acme');
    // The partner reads a revision by id (`_changes` and `revs=true` name the withdrawn ones).
    const readRevision = async (id: string, rev: string) => {
      const url = `${stack.proxy.url}/db/${partnerDbName('acme')}/${encodeURIComponent(id)}?rev=${rev}`;
      return (await fetch(url, { headers: { authorization: basicAuth('acme') } })).status;
    };
    assert.equal(await readRevision(approval._id, written[0].rev!), 200);
    await pullIntoPartnerServer();
    assert.deepEqual(await live(partnerAdmin.use('acme-copy'), ids), ids);

    // The supervisor reopens it, as the review writes a rejection: shared with nobody.
    const [reopened, reopenedDefect] = [approval, approvedDefect].map(({ partners: _shared, ...doc }, i) => ({
      ...doc,
      _rev: written[i].rev,
      ...(doc.type === 'inspection' ? { status: 'rejected' } : { inspectionStatus: 'rejected' }),
    }));
    await hub.bulk({ docs: [reopened, reopenedDefect] });
    await waitFor(async () => (await live(partnerDb, ids)).length === 0, 60_000, 'the withdrawal from partner-acme');
    const withdrawn = await metricValue(stack.proxy.metrics, 'fieldbook_partner_withdrawals_total');
    assert.ok(withdrawn >= 2, `revisions withdrawn: ${withdrawn}`);
    await pullIntoPartnerServer();
    assert.deepEqual(await live(partnerAdmin.use('acme-copy'), ids), []);
    // The withdrawal has partner-acme compacted: a withdrawn revision is gone when asked for by its id too.
    for (const [i, id] of ids.entries())
      await waitFor(
        async () => (await readRevision(id, written[i].rev!)) === 404,
        60_000,
        `the withdrawn revision of ${id} compacted away`,
      );
  });

  test('a copy of an approval that reaches the partner after it was reopened is withdrawn too', async () => {
    // The job read the approval, the supervisor reopened it, then the job's copy landed: the
    // hub's side of the withdrawal is past the reopening by then, the partner database's is not.
    const hub = stack.admin.use(HUB_DB);
    const approval = inspection('alice', { title: 'Copied late', status: 'approved', partners: ['acme'], updatedBy: 'sam' });
    const { partners: _shared, ...fields } = approval;
    await hub.bulk({
      docs: [{ ...fields, status: 'rejected', _rev: '2-bbb', _revisions: { start: 2, ids: ['bbb', 'aaa'] } }],
      new_edits: false,
    });
    const { update_seq } = await hub.info();
    await waitFor(
      async () => seqNumber(await hubWorkCheckpoint()) >= seqNumber(update_seq),
      60_000,
      'the withdrawal to read the hub past the reopening',
    );

    const partnerDb = stack.admin.use(partnerDbName('acme'));
    await partnerDb.bulk({ docs: [{ ...approval, _rev: '1-aaa' }], new_edits: false });
    await waitFor(async () => (await live(partnerDb, [approval._id])).length === 0, 60_000, 'the late copy withdrawn');
  });

  test('the hub side withdraws nothing the hub shares again by the time it reaches the partner database', async () => {
    // The race: the hub side reads a reopening from the hub's changes, the supervisor undoes it,
    // the job copies the approval again, and only then does the hub side reach partner-acme. The
    // batch it read is handed to a hub side here after all that, as its follower read it.
    const hub = stack.admin.use(HUB_DB);
    const partnerDb = stack.admin.use(partnerDbName('acme'));
    const approval = inspection('alice', { title: 'Reopened, then undone', status: 'approved', partners: ['acme'], updatedBy: 'sam' });
    const approved = await hub.insert(approval);
    await waitFor(async () => (await live(partnerDb, [approval._id])).length === 1, 60_000, 'the approval in partner-acme');
    const { update_seq } = await hub.info();
    const { partners: _shared, ...fields } = approval;
    const reopened = await hub.insert({ ...fields, _rev: approved.rev, status: 'rejected' } as never);
    const { results } = await hub.changes({ since: update_seq as string, include_docs: true, conflicts: true, style: 'all_docs' });
    const staleBatch = (results as unknown as ChangeRow<SharedDoc>[]).filter((row) => row.id === approval._id);
    assert.equal(staleBatch[0]?.doc?._rev, reopened.rev);

    const undone = await hub.insert({ ...approval, _rev: reopened.rev } as never);
    const partnerRev = async () => ((await partnerDb.get(approval._id).catch(() => null)) as { _rev: string } | null)?._rev;
    await waitFor(async () => (await partnerRev()) === undone.rev, 60_000, 'the job’s copy of the approval shared again');
    const withdrawal = watchPartnerShares({
      couch: stack.admin,
      couchAdminUrl: stack.couch.adminUrl,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
    });
    try {
      await withdrawal.hub.handle(staleBatch);
    } finally {
      withdrawal.stop();
    }
    assert.equal(await partnerRev(), undone.rev, 'the partner keeps the approval shared again');
  });

  test('a losing revision of a conflict the hub does not share never stays readable by the partner', async () => {
    // A supervisor's approval wins over the inspector's offline edit, which the hub keeps as a
    // conflict. CouchDB's job filters each leaf by the selector; PouchDB Server's filters the
    // winner and copied every leaf, the unapproved edit too.
    const hub = stack.admin.use(HUB_DB);
    const partnerDb = stack.admin.use(partnerDbName('acme'));
    const approval = inspection('alice', {
      title: 'Approved against an offline edit',
      status: 'approved',
      partners: ['acme'],
      updatedBy: 'sam',
    });
    const { partners: _shared, ...offline } = approval;
    const loser = {
      ...offline,
      status: 'submitted',
      notes: 'Not for partners',
      _rev: '2-0000',
      _revisions: { start: 2, ids: ['0000', 'aaaa'] },
    };
    await hub.bulk({
      docs: [loser, { ...approval, _rev: '2-ffff', _revisions: { start: 2, ids: ['ffff', 'aaaa'] } }],
      new_edits: false,
    });
    // Written after the conflict: once the job copied it, it copied the conflict too.
    const later = inspection('alice', { title: 'Shared after the conflict', status: 'approved', partners: ['acme'], updatedBy: 'sam' });
    await hub.insert(later as never);
    await waitFor(async () => (await live(partnerDb, [approval._id, later._id])).length === 2, 60_000, 'the copies in partner-acme');
    const { update_seq } = await partnerDb.info();
    await waitFor(
      async () => seqNumber(await withdrawalCheckpoint(partnerDbName('acme'))) >= seqNumber(update_seq),
      60_000,
      'the withdrawal to read partner-acme past the copies',
    );

    const asPartner = (query: string) =>
      fetch(`${stack.proxy.url}/db/${partnerDbName('acme')}/${encodeURIComponent(approval._id)}?${query}`, {
        headers: { authorization: basicAuth('acme'), accept: 'application/json' },
      });
    const leaves = (await (await asPartner('open_revs=all')).json()) as { ok?: SharedDoc }[];
    const readable = leaves.flatMap(({ ok }) => (ok && !ok._deleted ? [ok._rev] : []));
    assert.deepEqual(readable, ['2-ffff'], 'the partner reads the approval alone');
    assert.equal((await asPartner(`rev=${loser._rev}`)).status, 404, 'the offline edit is not readable by its revision');
  });

  test('a partner database deleted by hand holds up neither the withdrawal nor the handover', async () => {
    const hub = stack.admin.use(HUB_DB);
    const globex = stack.admin.use(partnerDbName('globex'));
    await waitFor(async () => (await live(globex, [otherPartners._id])).length === 1, 60_000, 'the approval in partner-globex');
    const failedRounds = () => metricValue(stack.proxy.metrics, 'fieldbook_handover_failed_rounds_total');
    const failedBefore = await failedRounds();
    await stack.admin.db.destroy(partnerDbName('globex'));

    // Globex's copy is no longer shared: the withdrawal would ask partner-globex about it.
    const { _rev } = await hub.get(otherPartners._id);
    const { partners: _shared, ...fields } = otherPartners;
    await hub.insert({ ...fields, _rev, status: 'rejected' } as never);
    const { update_seq } = await hub.info();
    await waitFor(async () => seqNumber(await hubWorkCheckpoint()) >= seqNumber(update_seq), 60_000, 'the hub work past the change');
    assert.equal(await failedRounds(), failedBefore, 'no round of the hub work failed');
  });

  test('a withdrawal is done once the partner database is compacted, not when the server took the compaction on', async () => {
    const hub = stack.admin.use(HUB_DB);
    const partnerDb = stack.admin.use(partnerDbName('acme'));
    // Enough bytes for a compaction to take a while (CouchDB answers `_compact` at once and compacts in the background).
    const ballast = fakeJpeg(16 * 1024 * 1024);
    const approval = {
      ...inspection('alice', { title: 'Approved with a large photo', status: 'approved', partners: ['acme'], updatedBy: 'sam' }),
      _attachments: { 'site.jpg': { content_type: 'image/jpeg', data: ballast.toString('base64') } },
    };
    const approved = await hub.insert(approval as never);
    await waitFor(async () => (await live(partnerDb, [approval._id])).length === 1, 60_000, 'the approval in partner-acme');
    const { _attachments: _photo, partners: _shared, ...fields } = approval;
    await hub.insert({ ...fields, _rev: approved.rev, status: 'rejected' } as never);
    await waitFor(async () => (await live(partnerDb, [approval._id])).length === 0, 60_000, 'the withdrawal from partner-acme');

    // Once the withdrawal's checkpoint in partner-acme is past the deletion, the withdrawn revision is gone.
    const { update_seq } = await partnerDb.info();
    await waitFor(
      async () => seqNumber(await withdrawalCheckpoint(partnerDbName('acme'))) >= seqNumber(update_seq),
      60_000,
      'the withdrawal done with the deletion',
    );
    assert.equal((await partnerDb.info()).compact_running ?? false, false, 'no compaction under way');
    const old = await partnerDb.get(approval._id, { rev: approved.rev }).then(
      () => 200,
      (error: { statusCode?: number }) => error.statusCode,
    );
    assert.equal(old, 404, 'the withdrawn revision is compacted away');
  });
});

/** The ids of these documents the database holds, not deleted. */
async function live(db: ReturnType<CouchAdmin['use']>, ids: string[]): Promise<string[]> {
  const { rows } = await db.fetchRevs({ keys: ids });
  return rows.flatMap((row) => ('value' in row && row.value && !(row.value as { deleted?: boolean }).deleted ? [row.id] : []));
}

/** How far the partner withdrawal has read a partner database. */
async function withdrawalCheckpoint(db: string): Promise<unknown> {
  const checkpoint = (await stack.admin
    .use(db)
    .get('_local/fieldbook-partner-withdrawal')
    .catch(() => null)) as { seq?: unknown } | null;
  return checkpoint?.seq ?? 0;
}

/** How far the hub work (the partner withdrawal's hub side among it) has read the hub. */
async function hubWorkCheckpoint(): Promise<unknown> {
  const checkpoint = (await stack.admin
    .use(HUB_DB)
    .get(HUB_WORK_CHECKPOINT_ID)
    .catch(() => null)) as { seq?: unknown } | null;
  return checkpoint?.seq ?? 0;
}

/** The partner's server pulls its database through the proxy, as a one-shot replication. */
async function pullIntoPartnerServer(): Promise<void> {
  await partnerAdmin.request({
    method: 'POST',
    path: '_replicate',
    body: { source: proxyDbUrl(partnerDbName('acme')), target: 'acme-copy', create_target: true },
  });
}
