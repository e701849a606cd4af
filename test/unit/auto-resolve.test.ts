import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { AUTO_MERGE_DEVICE_ID, autoResolveConflicts } from '../../domain/conflicts/auto-resolve';
import { auditIdRange } from '../../domain/audit-entry';
import { revisionFetcher, writeResolution, type ConflictDb } from '../../domain/conflicts/conflict-db';
import type { AuditEntry } from '../../domain/doc-types';
import { withResolutionAudit } from '../../domain/conflicts/resolution-audit';
import { resolutionBulkDocs, resolveMerge } from '../../domain/conflicts/conflict-resolution';
import { conflictCandidateIds, findConflictedDocs, mergeConflictedDoc } from '../../domain/conflicts/conflicted-docs';
import { alice, at, deletionOf, editOf, photoData, rootRevision, storeRevisions } from '../fixtures/documents';
import { leavesOf, localDb } from './pouch-revisions';

const admin = { name: 'admin', roles: ['_admin'] };
const options = { mergedBy: 'conflicts-test', userCtx: admin };

let db: PouchDB.Database;
beforeEach(() => {
  db = localDb('conflicts');
});
afterEach(() => db.destroy());

async function conflictedIds() {
  const { results } = await db.changes({ style: 'all_docs' });
  return (await findConflictedDocs(db, conflictCandidateIds(results))).map((doc) => doc.id);
}

/** A root plus two sibling edits: `2-bbb` (the winner) and `2-aaa`. */
async function storeConflict(
  ours: Record<string, unknown>,
  theirs: Record<string, unknown>,
  root = rootRevision({ _attachments: undefined }),
) {
  await storeRevisions(db, [root, editOf(root, 'bbb', ours), editOf(root, 'aaa', theirs)]);
  return root._id;
}

describe('finding conflicted documents', () => {
  test('lists documents with several leaves, including deleted vs edited, but not clean ones', async () => {
    const clean = rootRevision();
    await storeRevisions(db, [{ ...clean, _attachments: undefined }]);
    const edited = await storeConflict({ title: 'Ours' }, { site: 'Theirs' });
    const deletedRoot = rootRevision({ _attachments: undefined });
    await storeRevisions(db, [deletedRoot, editOf(deletedRoot, 'aaa', { title: 'kept' }), deletionOf(deletedRoot, 'zzz')]);
    assert.equal((await db.get(deletedRoot._id, { conflicts: true }))._conflicts, undefined, 'CouchDB does not list it in _conflicts');

    assert.deepEqual((await conflictedIds()).sort(), [edited, deletedRoot._id].sort());
    const [found] = await findConflictedDocs(db, [edited, 'inspection:missing']);
    assert.deepEqual(
      found.leaves.map((leaf) => leaf._rev),
      ['2-bbb', '2-aaa'],
    );
  });

  test('the merge uses the stored ancestor, or reports it missing after compaction', async () => {
    const id = await storeConflict({ title: 'Ours' }, { site: 'Theirs' });
    const [doc] = await findConflictedDocs(db, [id]);
    const merge = await mergeConflictedDoc(db, doc);
    assert.equal(merge.ancestor?._rev, '1-root');
    assert.deepEqual(merge.conflicts, []);

    await db.compact();
    const twoWay = await mergeConflictedDoc(db, doc);
    assert.equal(twoWay.ancestorMissing, true);
    assert.deepEqual(
      twoWay.conflicts.map((conflict) => conflict.path),
      ['title', 'site'],
    );
  });
});

describe('autoResolveConflicts', () => {
  test('resolves disjoint edits to one leaf with a merge trail, and leaves true conflicts alone', async () => {
    const disjoint = await storeConflict(at('2026-11-23T12:00:00.000Z', { title: 'Ours' }), { site: 'Theirs', notes: 'n' });
    const conflicting = await storeConflict({ title: 'Ours' }, { title: 'Theirs' });
    const deletedRoot = rootRevision({ _attachments: undefined });
    await storeRevisions(db, [deletedRoot, editOf(deletedRoot, 'aaa', { title: 'kept' }), deletionOf(deletedRoot, 'zzz')]);

    const outcomes = await autoResolveConflicts(db, await findConflictedDocs(db, [disjoint, conflicting, deletedRoot._id]), options);
    const resolvedRev = (await db.get(disjoint))._rev;
    assert.deepEqual(outcomes, [
      { id: disjoint, status: 'resolved', rev: resolvedRev, mergedFrom: ['2-bbb', '2-aaa'], deleted: false },
      { id: conflicting, status: 'left', reason: 'needs-choice', details: ['title'] },
      { id: deletedRoot._id, status: 'left', reason: 'needs-choice', details: ['_deleted'] },
    ]);

    const resolved = await db.get<Record<string, unknown>>(disjoint, { conflicts: true });
    assert.equal(resolved._conflicts, undefined);
    assert.match(resolved._rev, /^3-/);
    assert.deepEqual([resolved['title'], resolved['site'], resolved['notes']], ['Ours', 'Theirs', 'n']);
    assert.deepEqual(
      [resolved['mergedFrom'], resolved['mergedBy'], resolved['mergedAt']],
      [['2-bbb', '2-aaa'], 'conflicts-test', '2026-11-23T12:00:00.000Z'],
    );
    assert.equal((await leavesOf(db, disjoint)).filter((leaf) => !leaf._deleted).length, 1);
    assert.deepEqual((await conflictedIds()).sort(), [conflicting, deletedRoot._id].sort());
  });

  test('an attachment added on a losing leaf is uploaded with the merge', async () => {
    const id = await storeConflict(
      { title: 'Ours', _attachments: { 'a.jpg': photoData('ours') } },
      { _attachments: { 'b.jpg': photoData('theirs') } },
    );
    const [outcome] = await autoResolveConflicts(db, await findConflictedDocs(db, [id]), options);
    assert.equal(outcome.status, 'resolved');
    assert.equal(((await db.getAttachment(id, 'a.jpg')) as Buffer).toString(), 'ours');
    assert.equal(((await db.getAttachment(id, 'b.jpg')) as Buffer).toString(), 'theirs');
  });

  test('auto-merge can be turned off per document type', async () => {
    const id = await storeConflict({ title: 'Ours' }, { site: 'Theirs' });
    const docs = await findConflictedDocs(db, [id]);
    assert.deepEqual(await autoResolveConflicts(db, docs, { ...options, autoMerge: { inspection: false } }), [
      { id, status: 'left', reason: 'auto-merge-off', details: [] },
    ]);
    assert.equal((await autoResolveConflicts(db, docs, { ...options, autoMerge: { defect: false } }))[0].status, 'resolved');
  });

  test('a merge the writing user may not write is left alone, nothing written', async () => {
    const id = await storeConflict({ title: 'Ours' }, { site: 'Theirs' });
    const bob = { name: 'bob', roles: ['inspector'] };
    const [outcome] = await autoResolveConflicts(db, await findConflictedDocs(db, [id]), { ...options, userCtx: bob });
    assert.equal(outcome.status === 'left' && outcome.reason, 'invalid');
    assert.ok(outcome.status === 'left' && outcome.details.includes('2-bbb: updatedBy: must be your own user name'));
    assert.equal((await leavesOf(db, id)).length, 2);
  });

  test('leaves that changed since they were read are left for the next run, nothing written', async () => {
    const id = await storeConflict({ title: 'Ours' }, { site: 'Theirs' });
    const docs = await findConflictedDocs(db, [id]);
    await db.put({ ...(await db.get(id)), title: 'Edited meanwhile' });
    const [outcome] = await autoResolveConflicts(db, docs, options);
    assert.deepEqual(outcome, { id, status: 'left', reason: 'changed', details: [] });
    assert.equal((await leavesOf(db, id)).length, 2);

    // Resolved meanwhile (here: by a first run on the same leaves): nothing more to write.
    const [current] = await findConflictedDocs(db, [id]);
    assert.equal((await autoResolveConflicts(db, [current], options))[0].status, 'resolved');
    assert.deepEqual(await autoResolveConflicts(db, [current], options), [{ id, status: 'left', reason: 'changed', details: [] }]);
  });

  test('the merge names the writer and the auto-merge, dated by the newest edit, never by the device or the clock', async () => {
    const id = await storeConflict(
      at('2026-11-23T12:00:05.000Z', { title: 'Ours', deviceName: 'Tablet 2' }),
      at('2026-11-23T12:00:01.000Z', { site: 'Theirs' }),
    );
    const [outcome] = await autoResolveConflicts(db, await findConflictedDocs(db, [id]), {
      ...options,
      userCtx: alice,
      updatedBy: 'alice',
    });
    assert.equal(outcome.status, 'resolved');
    const resolved = await db.get<Record<string, unknown>>(id);
    assert.deepEqual(
      [
        resolved['updatedBy'],
        resolved['updatedAt'],
        resolved['deviceId'],
        resolved['deviceName'],
        resolved['mergedBy'],
        resolved['mergedAt'],
      ],
      ['alice', '2026-11-23T12:00:05.000Z', AUTO_MERGE_DEVICE_ID, undefined, 'conflicts-test', '2026-11-23T12:00:05.000Z'],
    );

    const id2 = await storeConflict({ title: 'Ours' }, { site: 'Theirs' });
    const [refused] = await autoResolveConflicts(db, await findConflictedDocs(db, [id2]), {
      ...options,
      userCtx: alice,
      updatedBy: 'mallory',
    });
    assert.equal(refused.status === 'left' && refused.reason, 'invalid');
  });

  test('two devices merging the same conflict write the same revisions: nothing new to replicate', async () => {
    const root = rootRevision({ _attachments: { 'a.jpg': photoData('root') } });
    const revisions = [
      root,
      editOf(root, 'bbb', at('2026-11-23T12:00:05.000Z', { title: 'Ours', _attachments: { 'b.jpg': photoData('ours') } })),
      editOf(root, 'aaa', at('2026-11-23T12:00:01.000Z', { site: 'Theirs' })),
    ];
    const otherDevice = localDb('conflicts-other-device');
    try {
      const trees: { winner: string; leaves: string[] }[] = [];
      for (const device of [db, otherDevice]) {
        await storeRevisions(device, revisions);
        const [outcome] = await autoResolveConflicts(device, await findConflictedDocs(device, [root._id]), {
          ...options,
          userCtx: alice,
          updatedBy: 'alice',
        });
        assert.equal(outcome.status, 'resolved');
        trees.push({
          winner: (await device.get(root._id))._rev,
          leaves: (await leavesOf(device, root._id)).map((leaf) => leaf._rev).sort(),
        });
      }
      assert.equal(trees[0].leaves.length, 2, 'the merge and one tombstone');
      assert.deepEqual(trees[1], trees[0], 'the same merge and tombstone revisions on both');
    } finally {
      await otherDevice.destroy();
    }
  });

  test('a merge that deletes is stamped like any automatic merge: two devices write the same deletion and the same audit entry', async () => {
    const root = rootRevision({ _attachments: undefined });
    const revisions = [
      root,
      // Deleted on one tablet; only saved again, unchanged, on the other: the merge deletes.
      deletionOf(root, 'zzz', { updatedBy: 'alice', updatedAt: '2026-11-23T12:00:01.000Z', deviceId: 'tablet-1' }),
      editOf(root, 'aaa', { ...at('2026-11-23T12:00:05.000Z'), updatedBy: 'alice' }),
    ];
    const otherDevice = localDb('conflicts-other-device');
    try {
      const written: { deletion: Record<string, unknown>; entries: string[] }[] = [];
      for (const [i, device] of [db, otherDevice].entries()) {
        await storeRevisions(device, revisions);
        // Each device's own clock and id, as a person's resolution would be stamped.
        const audited = withResolutionAudit(device, () => ({
          updatedBy: 'alice',
          updatedAt: `2026-12-0${i + 1}T09:00:00.000Z`,
          deviceId: `tablet-${i}`,
        }));
        const [outcome] = await autoResolveConflicts(audited, await findConflictedDocs(device, [root._id]), {
          ...options,
          userCtx: alice,
          updatedBy: 'alice',
        });
        assert.equal(outcome.status === 'resolved' && outcome.deleted, true);
        const deletion = await device.get<Record<string, unknown>>(root._id, { rev: (outcome as { rev: string }).rev });
        const { rows } = await device.allDocs({ ...auditIdRange(root._id) });
        written.push({ deletion, entries: rows.map((row) => row.id) });
      }
      const [first, second] = written;
      assert.deepEqual(
        [first.deletion['updatedBy'], first.deletion['updatedAt'], first.deletion['deviceId'], first.deletion['_deleted']],
        ['alice', '2026-11-23T12:00:05.000Z', AUTO_MERGE_DEVICE_ID, true],
      );
      assert.deepEqual(second.deletion, first.deletion, 'the same deletion revision on both');
      assert.equal(first.entries.length, 1);
      assert.deepEqual(second.entries, first.entries, 'one entry, the same on both');
    } finally {
      await otherDevice.destroy();
    }
  });

  test('leaves differing only in bookkeeping: the winner stands, and two devices end the others identically', async () => {
    const root = rootRevision({ _attachments: undefined });
    const merged = editOf(root, 'mmm', { title: 'Merged' });
    const echoes = [editOf(merged, 'aaa', at('2026-11-23T12:00:01.000Z')), editOf(merged, 'bbb', at('2026-11-23T12:00:02.000Z'))];
    const otherDevice = localDb('conflicts-other-device');
    try {
      const leafRevs: string[][] = [];
      for (const device of [db, otherDevice]) {
        await storeRevisions(device, [root, merged, ...echoes]);
        const [outcome] = await autoResolveConflicts(device, await findConflictedDocs(device, [root._id]), { ...options, userCtx: alice });
        assert.deepEqual(outcome, { id: root._id, status: 'resolved', rev: '3-bbb', mergedFrom: ['3-bbb', '3-aaa'], deleted: false });
        assert.equal((await device.get(root._id))._rev, '3-bbb', 'no new revision on the winner');
        leafRevs.push((await leavesOf(device, root._id)).map((leaf) => leaf._rev).sort());
      }
      assert.equal(leafRevs[0].length, 2);
      assert.deepEqual(leafRevs[0], leafRevs[1]);
    } finally {
      await otherDevice.destroy();
    }
  });

  test('two devices resolving one conflict differently: each difference is left for a person, not merged against the old winner', async () => {
    const root = rootRevision({ _attachments: undefined });
    const [ours, theirs] = [editOf(root, 'bbb', { title: 'Ours', site: 'Ours' }), editOf(root, 'aaa', { title: 'Theirs', site: 'Theirs' })];
    const trail = { mergedFrom: ['2-bbb', '2-aaa'], mergedBy: 'alice', mergedAt: '2026-11-24T08:00:00.000Z' };
    await storeRevisions(db, [
      root,
      ours,
      theirs,
      deletionOf(theirs, 'end', { mergedInto: '2-bbb' }),
      editOf(ours, 'ccc', { ...trail, site: 'Theirs' }),
      editOf(ours, 'ddd', { ...trail, title: 'Theirs' }),
    ]);
    const [outcome] = await autoResolveConflicts(db, await findConflictedDocs(db, [root._id]), options);
    assert.deepEqual(outcome, { id: root._id, status: 'left', reason: 'needs-choice', details: ['title', 'site'] });
  });

  test('a deletion chosen on one device and the document kept on another: listed again, for a person', async () => {
    const root = rootRevision({ _attachments: undefined });
    const [ours, deletion] = [editOf(root, 'bbb', { title: 'Ours' }), deletionOf(root, 'zzz')];
    await storeRevisions(db, [
      root,
      ours,
      deletion,
      deletionOf(ours, 'ccc', { mergedInto: '2-bbb' }),
      editOf(ours, 'ddd', { mergedFrom: ['2-bbb', '2-zzz'], mergedBy: 'alice', mergedAt: '2026-11-24T08:00:00.000Z' }),
      deletionOf(deletion, 'eee', { mergedInto: '2-bbb' }),
    ]);
    assert.deepEqual(await conflictedIds(), [root._id]);
    const [outcome] = await autoResolveConflicts(db, await findConflictedDocs(db, [root._id]), options);
    assert.deepEqual(outcome, { id: root._id, status: 'left', reason: 'needs-choice', details: ['_deleted'] });
  });

  test('writes all resolutions in two bulkDocs calls; a failed merge keeps its own leaves only', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await storeConflict({ title: `Ours ${i}` }, { site: `Theirs ${i}` }));
    const docs = await findConflictedDocs(db, ids);
    const calls: number[] = [];
    const counting = {
      get: db.get.bind(db),
      bulkDocs: async (writes: object[]) => {
        // Edited after the last read, as the heads are written.
        if (!calls.length) await db.put({ ...(await db.get(ids[2])), title: 'Edited meanwhile' });
        calls.push(writes.length);
        return db.bulkDocs(writes);
      },
    } as unknown as PouchDB.Database;

    const outcomes = await autoResolveConflicts(counting, docs, options);
    assert.deepEqual(calls, [5, 4], 'five heads, then the tombstones of the four that were written');
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['resolved', 'resolved', 'left', 'resolved', 'resolved'],
    );
    assert.deepEqual((await conflictedIds()).sort(), [ids[2]]);
  });

  test('as the owner, alice may resolve her own conflict', async () => {
    const id = await storeConflict({ title: 'Ours' }, { site: 'Theirs' });
    const [outcome] = await autoResolveConflicts(db, await findConflictedDocs(db, [id]), { ...options, userCtx: alice });
    assert.equal(outcome.status, 'resolved');
  });
});

describe('the audit of a resolution', () => {
  const stamp = () => ({ updatedBy: 'admin', updatedAt: '2026-12-01T09:00:00.000Z', deviceId: 'conflicts-cli' });

  /** A conflict of two titles, and the resolution that keeps the first. */
  async function titleConflict() {
    const id = await storeConflict({ title: 'Ours' }, { title: 'Theirs' });
    const [doc] = await findConflictedDocs(db, [id]);
    const resolution = resolveMerge(
      await mergeConflictedDoc(db, doc),
      { title: '2-aaa' },
      { mergedBy: 'admin', mergedAt: '2026-12-01T09:00:00Z' },
    );
    return { id, resolution };
  }

  test('a resolution that loses a race to another write (409) leaves no audit entry, and the conflict stays', async () => {
    const { id, resolution } = await titleConflict();
    // Another device's edit of the winner lands after the leaves are read, before the write.
    let raced = false;
    const racing = {
      get: db.get.bind(db),
      async bulkDocs(docs: object[]) {
        if (!raced) {
          raced = true;
          const winner = await db.get<Record<string, unknown>>(id, { rev: '2-bbb' });
          await db.put({ ...winner, title: 'Edited elsewhere' });
        }
        return db.bulkDocs(docs);
      },
    } as unknown as ConflictDb;
    const audited = withResolutionAudit(racing, stamp);

    const written = await writeResolution(audited, await resolutionBulkDocs(resolution, revisionFetcher(db, id)));

    assert.equal(raced, true);
    assert.equal(written.ok, false);
    assert.deepEqual((await db.allDocs(auditIdRange(id))).rows, []);
    assert.deepEqual(await conflictedIds(), [id]);
  });

  test('a resolution written has its entry', async () => {
    const { id, resolution } = await titleConflict();

    const written = await writeResolution(withResolutionAudit(db, stamp), await resolutionBulkDocs(resolution, revisionFetcher(db, id)));

    assert.equal(written.ok, true);
    const { rows } = await db.allDocs<AuditEntry>({ ...auditIdRange(id), include_docs: true });
    assert.deepEqual(
      rows.map(({ doc: entry }) => [entry!.action, entry!.merge, entry!.baseRev]),
      [['update', true, '2-bbb']],
    );
  });
});

describe('resolving deleted vs edited by choice', () => {
  for (const [choice, survivors] of [
    ['2-aaa', 1],
    ['2-zzz', 0],
  ] as const) {
    test(`choosing ${choice === '2-aaa' ? 'the edit' : 'the deletion'} settles it for good`, async () => {
      const root = rootRevision({ _attachments: undefined });
      await storeRevisions(db, [root, editOf(root, 'aaa', { title: 'kept' }), deletionOf(root, 'zzz')]);
      const [doc] = await findConflictedDocs(db, [root._id]);
      const resolution = resolveMerge(
        await mergeConflictedDoc(db, doc),
        { _deleted: choice },
        { mergedBy: 'alice', mergedAt: '2026-11-23T12:00:00Z' },
      );
      const written = await writeResolution(db, await resolutionBulkDocs(resolution, revisionFetcher(db, root._id)));
      assert.equal(written.ok, true);
      assert.equal((await leavesOf(db, root._id)).filter((leaf) => !leaf._deleted).length, survivors);
      assert.deepEqual(await conflictedIds(), []);
    });
  }
});
