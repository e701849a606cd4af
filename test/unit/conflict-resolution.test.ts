import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  isResolutionTombstone,
  keepLeaf,
  losingLeafTombstones,
  resolutionBulkDocs,
  resolveMerge,
  type Resolution,
  UnresolvedConflictsError,
  unresolvedPaths,
} from '../../domain/conflicts/conflict-resolution';
import type { FetchRevision, StoredDoc } from '../../domain/conflicts/stored-doc';
import { mergeLeaves } from '../../domain/conflicts/three-way-merge';
import { resolutionViolations } from '../../domain/conflicts/apply-resolution';
import { asRoot, defect, deletionOf, editOf, photoStub, rootRevision } from '../fixtures/documents';

const root = rootRevision();
const stamp = { mergedBy: 'alice', mergedAt: '2026-11-23T12:00:00.000Z' };
const noFetch: FetchRevision = () => assert.fail('no attachment data should be needed');

describe('resolveMerge', () => {
  test('without conflicts: the merged document with the merge trail', () => {
    const merge = mergeLeaves([editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { site: 'Theirs' })], root);
    const { doc, leaves } = resolveMerge(merge, {}, stamp);
    assert.deepEqual(leaves, merge.leaves);
    assert.equal(doc?._rev, '2-bbb');
    assert.equal(doc?.['title'], 'Ours');
    assert.equal(doc?.['site'], 'Theirs');
    assert.deepEqual(doc?.mergedFrom, ['2-bbb', '2-aaa']);
    assert.equal(doc?.mergedBy, 'alice');
    assert.equal(doc?.mergedAt, '2026-11-23T12:00:00.000Z');
  });

  test('refuses to resolve while a conflict has no choice, naming the paths', () => {
    const merge = mergeLeaves(
      [editOf(root, 'bbb', { title: 'Ours', site: 'S1' }), editOf(root, 'aaa', { title: 'Theirs', site: 'S2' })],
      root,
    );
    assert.throws(
      () => resolveMerge(merge, { site: '2-aaa' }, stamp),
      (error: unknown) => error instanceof UnresolvedConflictsError && error.paths.join() === 'title',
    );
    assert.equal(resolveMerge(merge, { site: '2-aaa', title: '2-aaa' }, stamp).doc?.['title'], 'Theirs');
  });

  test('choosing the deletion settles everything else', () => {
    const merge = mergeLeaves(
      [deletionOf(root, 'zzz'), editOf(root, 'aaa', { title: 'T', site: 'S' }), editOf(root, 'bbb', { title: 'U' })],
      root,
    );
    assert.deepEqual(
      merge.conflicts.map((conflict) => conflict.path),
      ['_deleted', 'title'],
    );
    assert.equal(resolveMerge(merge, { _deleted: '2-zzz' }, stamp).doc, null);
  });
});

describe('unresolvedPaths', () => {
  test('the conflicts without a choice, none once the deletion is chosen', () => {
    const leaves = [deletionOf(root, 'zzz'), editOf(root, 'aaa', { title: 'T', site: 'S' }), editOf(root, 'bbb', { title: 'U' })];
    assert.deepEqual(unresolvedPaths(mergeLeaves(leaves, root), {}), ['_deleted', 'title']);
    const keepEdits = { _deleted: '2-aaa' };
    assert.deepEqual(unresolvedPaths(mergeLeaves(leaves, root, keepEdits), keepEdits), ['title']);
    const deleteIt = { _deleted: '2-zzz' };
    assert.deepEqual(unresolvedPaths(mergeLeaves(leaves, root, deleteIt), deleteIt), []);
  });
});

describe('keepLeaf', () => {
  test("a losing leaf's content on the winning revision, dropping the winner's own changes", () => {
    const merge = mergeLeaves([editOf(root, 'bbb', { title: 'Ours', notes: 'only ours' }), editOf(root, 'aaa', { site: 'Theirs' })], root);
    const { doc, leaves } = keepLeaf(merge, '2-aaa', stamp);
    assert.deepEqual(leaves, merge.leaves);
    assert.equal(doc?._rev, '2-bbb');
    assert.deepEqual([doc?.['title'], doc?.['site'], doc?.['notes']], [root['title'], 'Theirs', undefined]);
    assert.deepEqual(doc?.mergedFrom, ['2-bbb', '2-aaa']);
    assert.equal(doc?._revisions, undefined);
  });

  test('keeping a deletion deletes the document; an unknown rev is refused', () => {
    const merge = mergeLeaves([editOf(root, 'aaa', { title: 'T' }), deletionOf(root, 'zzz')], root);
    assert.equal(keepLeaf(merge, '2-zzz', stamp).doc, null);
    assert.throws(() => keepLeaf(merge, '2-nope', stamp), /2-nope is not one of the conflicting leaves/);
  });
});

describe('resolutionBulkDocs', () => {
  test('the merged document on the winning revision, then a marked tombstone on every other leaf', async () => {
    const merge = mergeLeaves(
      [editOf(root, 'bbb', { title: 'B' }), editOf(root, 'aaa', { site: 'A' }), deletionOf(editOf(root, 'ccc', {}), 'ddd')],
      root,
    );
    const keep = { _deleted: '2-bbb' };
    const docs = await resolutionBulkDocs(resolveMerge(merge, keep, stamp), noFetch);
    assert.deepEqual(
      docs.map((doc) => [doc._rev, doc._deleted ?? false]),
      [
        ['2-bbb', false],
        ['2-aaa', true],
        ['3-ddd', true],
      ],
    );
    assert.deepEqual(docs.slice(1), [
      { _id: root._id, _rev: '2-aaa', _deleted: true, mergedInto: '2-bbb' },
      { _id: root._id, _rev: '3-ddd', _deleted: true, mergedInto: '2-bbb' },
    ]);
    assert.equal(
      docs.slice(1).every((doc) => isResolutionTombstone(doc as StoredDoc)),
      true,
    );
    assert.equal(isResolutionTombstone(deletionOf(root, 'x')), false);
  });

  test('keeping the winner as it stands ends only the other leaves: an inspector can settle her offline edit against a defect approved meanwhile', async () => {
    const alice = { name: 'alice', roles: ['inspector'] };
    const created = asRoot(defect('alice', `inspection:${crypto.randomUUID()}`, { updatedAt: '2026-03-01T00:00:00.000Z' }));
    const submitted = editOf(created, 'sub', { inspectionStatus: 'submitted', updatedAt: '2026-03-02T00:00:00.000Z' });
    const approved = editOf(submitted, 'app', { inspectionStatus: 'approved', updatedBy: 'sam', updatedAt: '2026-03-03T00:00:00.000Z' });
    const offlineEdit = editOf(created, 'edit', { title: 'Leak, bigger', updatedAt: '2026-03-04T00:00:00.000Z' });
    const merge = mergeLeaves([approved, offlineEdit], created);
    assert.equal(merge.leaves[0]._rev, '3-app');
    const stamped = (resolution: Resolution) => ({
      ...resolution,
      doc: resolution.doc && { ...resolution.doc, updatedBy: 'alice', updatedAt: '2026-03-05T00:00:00.000Z', deviceId: 'tablet' },
    });
    const kept = await resolutionBulkDocs(stamped(keepLeaf(merge, '3-app', stamp)), noFetch);
    assert.deepEqual(kept, [{ _id: created._id, _rev: '2-edit', _deleted: true, mergedInto: '3-app' }]);
    assert.deepEqual(resolutionViolations(kept, merge.leaves, alice), []);
    // Keeping her own edit changes the approved defect: the rules refuse it, as before.
    const mine = await resolutionBulkDocs(stamped(keepLeaf(merge, '2-edit', stamp)), noFetch);
    assert.equal(mine[0]!._rev, '3-app');
    assert.notDeepEqual(resolutionViolations(mine, merge.leaves, alice), []);
  });

  test('losingLeafTombstones ends every leaf but the winner, the same way on every device', () => {
    const leaves = [editOf(root, 'bbb', { title: 'B' }), editOf(root, 'aaa', { site: 'A' })];
    assert.deepEqual(losingLeafTombstones(leaves), [{ _id: root._id, _rev: '2-aaa', _deleted: true, mergedInto: '2-bbb' }]);
  });

  test('a deleted result tombstones the live leaves only', async () => {
    const merge = mergeLeaves([deletionOf(root, 'zzz'), editOf(root, 'aaa', { title: 'T' })], root);
    const docs = await resolutionBulkDocs(resolveMerge(merge, { _deleted: '2-zzz' }, stamp), noFetch);
    assert.deepEqual(docs, [{ _id: root._id, _rev: '2-aaa', _deleted: true, mergedInto: '2-aaa' }]);
  });

  test('attachments of the winning revision stay stubs; others are inlined from a leaf that has them', async () => {
    const winner = editOf(root, 'bbb', { _attachments: { 'a.jpg': photoStub('md5-a'), 'b.jpg': photoStub('md5-b') } });
    const loser = editOf(root, 'aaa', {
      _attachments: { 'a.jpg': photoStub('md5-a'), 'c.jpg': photoStub('md5-c'), 'd.jpg': photoStub('md5-d') },
    });
    const fetched: string[] = [];
    const fetchRevision: FetchRevision = async (rev, { attachments }) => {
      fetched.push(`${rev} ${attachments}`);
      const data = (digest: string) => ({ content_type: 'image/jpeg', digest, data: `data-of-${digest}` });
      return { ...loser, _attachments: { 'a.jpg': data('md5-a'), 'c.jpg': data('md5-c'), 'd.jpg': data('md5-d') } };
    };
    const [head] = await resolutionBulkDocs(resolveMerge(mergeLeaves([winner, loser], root), {}, stamp), fetchRevision);
    assert.ok('_attachments' in head);
    assert.deepEqual(head._attachments, {
      'a.jpg': { stub: true, digest: 'md5-a', content_type: 'image/jpeg', length: 3 },
      'b.jpg': { stub: true, digest: 'md5-b', content_type: 'image/jpeg', length: 3 },
      'c.jpg': { content_type: 'image/jpeg', data: 'data-of-md5-c' },
      'd.jpg': { content_type: 'image/jpeg', data: 'data-of-md5-d' },
    });
    assert.deepEqual(fetched, ['2-aaa true'], 'each leaf is loaded with its data once');
  });

  test('an attachment whose leaf is gone fails loudly instead of writing a broken stub', async () => {
    const winner = editOf(root, 'bbb', { title: 'B' });
    const loser = editOf(root, 'aaa', { _attachments: { 'a.jpg': photoStub('md5-a'), 'c.jpg': photoStub('md5-c') } });
    const resolution = resolveMerge(mergeLeaves([winner, loser], root), {}, stamp);
    await assert.rejects(
      resolutionBulkDocs(resolution, async () => null),
      /attachment c.jpg \(md5-c\) is no longer available/,
    );
  });
});
