/**
 * Two tablets of one inspector hold the same conflict and both merge it automatically, as the
 * app's auto-resolver does, then sync through the proxy: the server must end with one merge
 * revision and one tombstone per losing version, not a merge from each tablet (issue 13, item 4).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { autoResolveConflicts, AUTO_MERGE_DEVICE_ID } from '../../domain/conflicts/auto-resolve';
import { findConflictedDocs } from '../../domain/conflicts/conflicted-docs';
import type { LeafDoc } from '../../domain/conflicts/stored-doc';
import { userDbName } from '../../domain/user-db-name';
import { PULL_OPTIONS, PUSH_OPTIONS } from '../../src/app/core/replication-options';
import { inspection } from '../fixtures/documents';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { localDb, remoteDb } from '../support/node-pouch';

const ALICE = { name: 'alice', roles: ['inspector'] };

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector' });
});
after(() => stack?.stop());

interface Tablet {
  local: PouchDB.Database;
  server: PouchDB.Database;
}

async function tablet(cookie: string): Promise<Tablet> {
  return { local: localDb('tablet'), server: remoteDb(`${stack.proxy.url}/db/${userDbName('alice')}`, { cookie }) };
}

/** One sync with the app's replication options: push, then pull. */
async function sync({ local, server }: Tablet): Promise<void> {
  await local.replicate.to(server, PUSH_OPTIONS);
  await local.replicate.from(server, PULL_OPTIONS);
}

/** What the app's auto-resolver does with the conflicts the tablet holds (ConflictResolverService.autoResolve). */
async function autoMerge({ local }: Tablet, id: string) {
  const docs = await findConflictedDocs(local, [id]);
  return autoResolveConflicts(local, docs, { mergedBy: ALICE.name, updatedBy: ALICE.name, userCtx: ALICE });
}

/** Every leaf on the server, with its history, as an admin reads it. */
async function serverLeaves(id: string): Promise<LeafDoc[]> {
  const rows = (await stack.admin.use(userDbName('alice')).get(id, { open_revs: 'all', revs: true } as never)) as unknown as {
    ok?: LeafDoc;
  }[];
  return rows.flatMap((row) => (row.ok ? [row.ok] : []));
}

const parentOf = (leaf: LeafDoc) => `${leaf._revisions.start - 1}-${leaf._revisions.ids[1]}`;

test('both tablets merge the same conflict: one merge revision and one tombstone per losing version on the server', async () => {
  const cookie = await loginCookie(stack.proxy.url, 'alice');
  const a = await tablet(cookie);
  const b = await tablet(cookie);
  try {
    const doc = inspection('alice', { deviceId: 'device-a' });
    const created = await a.local.put(doc);
    await sync(a);
    await sync(b);

    // Offline, each changes a different field; then both sync and hold the conflict.
    const editA = await a.local.put({
      ...doc,
      _rev: created.rev,
      title: 'Title from A',
      updatedAt: '2026-12-02T09:00:01.000Z',
      deviceId: 'device-a',
    });
    const editB = await b.local.put({
      ...doc,
      _rev: created.rev,
      site: 'Site from B',
      updatedAt: '2026-12-02T09:00:02.000Z',
      deviceId: 'device-b',
      deviceName: 'Tablet B',
    });
    await sync(a);
    await sync(b);
    await sync(a);
    for (const each of [a, b]) assert.equal((await findConflictedDocs(each.local, [doc._id])).length, 1, 'the conflict on each tablet');

    // Both merge it before hearing of the other's merge.
    const outcomes = [await autoMerge(a, doc._id), await autoMerge(b, doc._id)];
    assert.deepEqual(
      outcomes.map(([outcome]) => outcome.status),
      ['resolved', 'resolved'],
    );

    // They sync; each would merge again whatever conflict that brought (the echo).
    for (let round = 0; round < 2; round++) {
      for (const each of [a, b]) {
        await sync(each);
        await autoMerge(each, doc._id);
      }
    }

    const leaves = await serverLeaves(doc._id);
    const live = leaves.filter((leaf) => !leaf._deleted);
    const tombstones = leaves.filter((leaf) => leaf._deleted);
    assert.equal(live.length, 1, 'one live version');
    assert.equal(tombstones.length, 1, `one tombstone, on the losing version; leaves: ${leaves.map((leaf) => leaf._rev).join(', ')}`);
    const [merged] = live;
    const winner = [editA.rev, editB.rev].sort().at(-1)!;
    const loser = winner === editA.rev ? editB.rev : editA.rev;
    assert.equal(parentOf(merged), winner, 'the merge is written on the winning version');
    assert.equal(parentOf(tombstones[0]), loser);
    assert.equal(tombstones[0]['mergedInto'], winner);
    assert.deepEqual(
      [merged['title'], merged['site'], merged['updatedBy'], merged['deviceId'], merged['mergedBy']],
      ['Title from A', 'Site from B', 'alice', AUTO_MERGE_DEVICE_ID, 'alice'],
    );
    assert.equal(merged['mergedAt'], '2026-12-02T09:00:02.000Z');
    for (const each of [a, b]) {
      const local = await each.local.get(doc._id, { conflicts: true });
      assert.equal(local._rev, merged._rev, 'each tablet has the merge');
      assert.equal(local._conflicts, undefined);
    }
  } finally {
    await a.local.destroy();
    await b.local.destroy();
  }
});

test('a supervisor’s assignment: its assignee, not its creator, merges a conflict of it, and the server takes the losing version’s tombstone', async () => {
  const cookie = await loginCookie(stack.proxy.url, 'alice');
  const a = await tablet(cookie);
  const b = await tablet(cookie);
  try {
    const doc = inspection('sam', { assignedTo: 'alice', title: 'Assigned boiler check' });
    await stack.admin.use(userDbName('alice')).insert(doc as never);
    await sync(a);
    await sync(b);
    const [onA, onB] = [await a.local.get(doc._id), await b.local.get(doc._id)];
    const stamp = { updatedBy: 'alice', updatedAt: '2026-12-02T09:00:01.000Z' };
    await a.local.put({ ...onA, ...stamp, title: 'Title from A', deviceId: 'device-a' });
    await b.local.put({ ...onB, ...stamp, site: 'Site from B', deviceId: 'device-b' });
    await sync(a);
    await sync(b);
    await sync(a);

    const [outcome] = await autoMerge(a, doc._id);
    assert.equal(outcome.status, 'resolved', JSON.stringify(outcome));
    await sync(a);
    const leaves = await serverLeaves(doc._id);
    assert.deepEqual(
      leaves.map((leaf) => !!leaf._deleted).sort(),
      [false, true],
      `one live version and the losing one’s tombstone on the server: ${leaves.map((leaf) => leaf._rev).join(', ')}`,
    );
    // Ending a branch is not deleting the record: alice still may not delete sam's assignment.
    const live = leaves.find((leaf) => !leaf._deleted)!;
    const refused = await a.server.put({ _id: doc._id, _rev: live._rev, _deleted: true }).catch((error: { status: number }) => error);
    assert.equal((refused as { status?: number }).status, 403);
  } finally {
    await a.local.destroy();
    await b.local.destroy();
  }
});
