import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CouchAdmin } from '../../couch/couch-admin';
import { HUB_DB, partnerDbName } from '../../domain/db-names';
import { startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';

let stack: TestStack;

before(async () => {
  stack = await startTestStack({ alice: 'inspector', sam: 'supervisor', acme: 'partner' });
});
after(async () => {
  await stack?.stop();
});

/** The live leaves a database holds of a document. */
async function liveLeaves(db: ReturnType<CouchAdmin['use']>, id: string): Promise<string[]> {
  const leaves = (await stack.admin.request({ db: db.config.db, doc: id, qs: { open_revs: 'all' } }).catch(() => [])) as {
    ok?: { _rev: string; _deleted?: boolean };
  }[];
  return leaves.flatMap(({ ok }) => (ok && !ok._deleted ? [ok._rev] : [])).sort();
}

/** An approval shared with acme that the hub holds as a conflict of two shared leaves, both copied to partner-acme. */
async function sharedConflict(title: string) {
  const hub = stack.admin.use(HUB_DB);
  const approval = inspection('alice', { title, status: 'approved', partners: ['acme'], updatedBy: 'sam' });
  const leaves = ['2-0000', '2-ffff'];
  await hub.bulk({
    docs: leaves.map((rev, i) => ({ ...approval, notes: `leaf ${i}`, _rev: rev, _revisions: { start: 2, ids: [rev.slice(2), 'aaaa'] } })),
    new_edits: false,
  });
  const partnerDb = stack.admin.use(partnerDbName('acme'));
  await waitFor(async () => (await liveLeaves(partnerDb, approval._id)).length === 2, 60_000, 'both leaves in partner-acme');
  return { approval, hub, partnerDb };
}

describe('partner withdrawal across conflicts', () => {
  test('an approval held as a conflict and then reopened leaves the partner no leaf, nor their own copy', async () => {
    const { approval, hub, partnerDb } = await sharedConflict('Conflict, then reopened');
    const copyUrl = `${stack.couch.adminUrl}/acme-copy`;
    const proxyUrl = new URL(`${stack.proxy.url}/db/${partnerDbName('acme')}`);
    proxyUrl.username = 'acme';
    proxyUrl.password = TEST_PASSWORD;
    const pull = () =>
      stack.admin.request({
        method: 'POST',
        path: '_replicate',
        body: { source: proxyUrl.toString(), target: copyUrl, create_target: true },
      });
    await pull();
    assert.equal((await liveLeaves(stack.admin.use('acme-copy'), approval._id)).length, 2);

    const { partners: _shared, ...fields } = approval;
    await hub.insert({ ...fields, _rev: '2-ffff', status: 'rejected' } as never);
    await waitFor(async () => (await liveLeaves(partnerDb, approval._id)).length === 0, 60_000, 'every leaf withdrawn from partner-acme');
    await pull();
    assert.deepEqual(await liveLeaves(stack.admin.use('acme-copy'), approval._id), [], 'the partner’s own copy keeps no leaf');
  });

  for (const [discarded, kept] of [
    ['2-0000', '2-ffff'],
    ['2-ffff', '2-0000'],
  ])
    test(`a leaf the hub deletes to resolve a conflict (${discarded === '2-0000' ? 'the loser' : 'the winner'}) does not stay with the partner`, async () => {
      const { approval, hub, partnerDb } = await sharedConflict(`Conflict resolved to ${kept}`);
      await hub.destroy(approval._id, discarded);
      assert.deepEqual(await liveLeaves(hub, approval._id), [kept]);
      await waitFor(
        async () => (await liveLeaves(partnerDb, approval._id)).join() === kept,
        60_000,
        'the discarded leaf withdrawn from partner-acme',
      );
      const readable = () =>
        partnerDb.get(approval._id, { rev: discarded }).then(
          () => 200,
          (error: { statusCode?: number }) => error.statusCode,
        );
      await waitFor(async () => (await readable()) === 404, 60_000, 'the withdrawn leaf compacted away');
    });
});
