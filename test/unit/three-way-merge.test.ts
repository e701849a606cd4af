import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { docViolations } from '../../domain/doc-rules';
import { mergeLeaves } from '../../domain/conflicts/three-way-merge';
import { alice, at, checklistItem, deletionOf, editOf, photoStub, rootRevision } from '../fixtures/documents';

// Sibling revisions: `2-bbb` wins over `2-aaa` (same position, greater id).
const root = rootRevision();

describe('three-way merge of top-level fields', () => {
  test('disjoint edits are both taken, without conflicts', () => {
    const winner = editOf(root, 'bbb', { title: 'Boiler room, east' });
    const loser = editOf(root, 'aaa', { notes: 'Key at reception', scheduledFor: '2026-12-01' });
    const merge = mergeLeaves([loser, winner], root);
    assert.deepEqual(merge.conflicts, []);
    assert.equal(merge.ancestorRev, '1-root');
    assert.equal(merge.ancestorMissing, false);
    assert.deepEqual(
      merge.leaves.map((leaf) => leaf._rev),
      ['2-bbb', '2-aaa'],
    );
    assert.equal(merge.merged?._rev, '2-bbb');
    assert.equal(merge.merged?.['title'], 'Boiler room, east');
    assert.equal(merge.merged?.['notes'], 'Key at reception');
    assert.equal(merge.merged?.['scheduledFor'], '2026-12-01');
    assert.deepEqual(docViolations(merge.merged!, winner, alice), []);
  });

  test('a field removed on one leaf and untouched on the other is removed', () => {
    const withNotes = rootRevision({ notes: 'old' });
    const merge = mergeLeaves([editOf(withNotes, 'bbb', { notes: undefined }), editOf(withNotes, 'aaa', { site: 'Plant 5' })], withNotes);
    assert.deepEqual(merge.conflicts, []);
    assert.equal('notes' in merge.merged!, false);
    assert.equal(merge.merged?.['site'], 'Plant 5');
  });

  test('a version another device merged, edited further on its own device, is the base: a value set back to the old one is kept', () => {
    const theirs = editOf(root, 'aaa', { title: 'Boiler room, east' });
    const ours = editOf(root, 'bbb', { site: 'Plant 5' });
    const merged = editOf(ours, 'mmm', { title: 'Boiler room, east', mergedFrom: [theirs._rev, ours._rev] });
    // Not having heard of the merge, the other device sets its title back.
    const editedOn = editOf(theirs, 'zzz', { title: root['title'] });
    const merge = mergeLeaves([merged, editedOn], theirs);
    assert.equal(merge.ancestorRev, '2-aaa');
    assert.deepEqual(merge.conflicts, []);
    assert.equal(merge.merged?.['title'], root['title']);
    assert.equal(merge.merged?.['site'], 'Plant 5');
  });

  test('the same change on both leaves is not a conflict', () => {
    const merge = mergeLeaves(
      [editOf(root, 'bbb', { status: 'submitted', partners: ['acme'] }), editOf(root, 'aaa', { status: 'submitted', partners: ['acme'] })],
      root,
    );
    assert.deepEqual(merge.conflicts, []);
    assert.equal(merge.merged?.['status'], 'submitted');
    assert.deepEqual(merge.merged?.['partners'], ['acme']);
  });

  test('different changes to one field are a conflict that defaults to the winner', () => {
    const merge = mergeLeaves([editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { title: 'Theirs', site: 'Plant 5' })], root);
    assert.deepEqual(merge.conflicts, [
      {
        kind: 'field',
        path: 'title',
        options: [
          { rev: '2-bbb', value: 'Ours' },
          { rev: '2-aaa', value: 'Theirs' },
        ],
      },
    ]);
    assert.equal(merge.merged?.['title'], 'Ours');
    assert.equal(merge.merged?.['site'], 'Plant 5');
    assert.equal(mergeLeaves(merge.leaves, root, { title: '2-aaa' }).merged?.['title'], 'Theirs');
  });

  test('removed on one leaf and changed on the other is a conflict', () => {
    const withNotes = rootRevision({ notes: 'old' });
    const merge = mergeLeaves([editOf(withNotes, 'bbb', { notes: undefined }), editOf(withNotes, 'aaa', { notes: 'new' })], withNotes);
    assert.deepEqual(
      merge.conflicts.map((conflict) => [conflict.path, conflict.options.map((option) => option.value)]),
      [['notes', [undefined, 'new']]],
    );
  });

  test('audit fields come from the most recently updated leaf and never conflict', () => {
    const early = editOf(root, 'bbb', at('2026-11-21T09:00:00.000Z', { title: 'Ours', updatedBy: 'alice' }));
    const late = editOf(root, 'aaa', at('2026-11-21T10:00:00+01:00', { site: 'Plant 5', updatedBy: 'alice' }));
    const later = editOf(root, 'ccc', at('2026-11-21T09:30:00.000Z', { notes: 'n' }));
    const merge = mergeLeaves([early, late, later], root);
    assert.deepEqual(merge.conflicts, []);
    assert.equal(merge.merged?.['updatedAt'], '2026-11-21T09:30:00.000Z');
    assert.equal(merge.merged?.['deviceId'], 'device-2026-11-21T09:30:00.000Z');
  });

  test('a choice naming a rev that is not an option is refused', () => {
    const leaves = [editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { title: 'Theirs' })];
    assert.throws(() => mergeLeaves(leaves, root, { title: '2-zzz' }), /title: 2-zzz is not one of the conflicting leaves/);
  });

  test('an ancestor that is not the common ancestor is refused', () => {
    const child = editOf(root, 'bbb', {});
    assert.throws(() => mergeLeaves([editOf(child, 'ccc', {}), editOf(root, 'aaa', {})], child), /not the common ancestor 1-root/);
  });
});

describe('checklist items merge by id', () => {
  test('items added on both leaves are both kept, the winner’s first', () => {
    const winner = editOf(root, 'bbb', { checklist: [...(root['checklist'] as object[]), checklistItem('ours')] });
    const loser = editOf(root, 'aaa', { checklist: [checklistItem('theirs'), ...(root['checklist'] as object[])] });
    const merge = mergeLeaves([winner, loser], root);
    assert.deepEqual(merge.conflicts, []);
    assert.deepEqual(merge.merged?.['checklist'], [
      checklistItem('c1'),
      checklistItem('c2'),
      checklistItem('c3'),
      checklistItem('ours'),
      checklistItem('theirs'),
    ]);
  });

  test('different fields of one item edited on each leaf are both taken', () => {
    const winner = editOf(root, 'bbb', { checklist: [checklistItem('c1', 'pass'), checklistItem('c2'), checklistItem('c3')] });
    const loser = editOf(root, 'aaa', { checklist: [{ ...checklistItem('c1'), note: 'rusty' }, checklistItem('c2'), checklistItem('c3')] });
    const merge = mergeLeaves([winner, loser], root);
    assert.deepEqual(merge.conflicts, []);
    assert.deepEqual((merge.merged?.['checklist'] as object[])[0], { ...checklistItem('c1', 'pass'), note: 'rusty' });
  });

  test('one item field edited differently is a conflict on that field', () => {
    const winner = editOf(root, 'bbb', { checklist: [checklistItem('c1', 'pass'), checklistItem('c2', 'na'), checklistItem('c3')] });
    const loser = editOf(root, 'aaa', { checklist: [checklistItem('c1', 'fail'), checklistItem('c2'), checklistItem('c3')] });
    const merge = mergeLeaves([winner, loser], root);
    assert.deepEqual(merge.conflicts, [
      {
        kind: 'field',
        path: 'checklist[c1].result',
        options: [
          { rev: '2-bbb', value: 'pass' },
          { rev: '2-aaa', value: 'fail' },
        ],
      },
    ]);
    const resolved = mergeLeaves(merge.leaves, root, { 'checklist[c1].result': '2-aaa' }).merged;
    assert.deepEqual(resolved?.['checklist'], [checklistItem('c1', 'fail'), checklistItem('c2', 'na'), checklistItem('c3')]);
  });

  test('an item removed on one leaf and untouched on the other is removed', () => {
    const merge = mergeLeaves(
      [
        editOf(root, 'bbb', { checklist: [checklistItem('c1'), checklistItem('c3')] }),
        editOf(root, 'aaa', { checklist: [checklistItem('c1', 'pass'), checklistItem('c2'), checklistItem('c3')] }),
      ],
      root,
    );
    assert.deepEqual(merge.conflicts, []);
    assert.deepEqual(merge.merged?.['checklist'], [checklistItem('c1', 'pass'), checklistItem('c3')]);
  });

  test('an item edited on one leaf and removed on the other needs a choice', () => {
    const winner = editOf(root, 'bbb', { checklist: [checklistItem('c1'), checklistItem('c3')] });
    const loser = editOf(root, 'aaa', { checklist: [checklistItem('c1'), checklistItem('c2', 'fail'), checklistItem('c3')] });
    const merge = mergeLeaves([winner, loser], root);
    assert.deepEqual(merge.conflicts, [
      {
        kind: 'checklist-item',
        path: 'checklist[c2]',
        options: [
          { rev: '2-bbb', value: undefined },
          { rev: '2-aaa', value: checklistItem('c2', 'fail') },
        ],
      },
    ]);
    assert.deepEqual(merge.merged?.['checklist'], [checklistItem('c1'), checklistItem('c3')]);
    const kept = mergeLeaves(merge.leaves, root, { 'checklist[c2]': '2-aaa' }).merged;
    assert.deepEqual(kept?.['checklist'], [checklistItem('c1'), checklistItem('c3'), checklistItem('c2', 'fail')]);
  });

  test('a checklist that is not a list of items merges as a plain field', () => {
    const broken = rootRevision({ checklist: 'none' });
    const merge = mergeLeaves(
      [editOf(broken, 'bbb', { checklist: [checklistItem('c1')] }), editOf(broken, 'aaa', { checklist: [checklistItem('c2')] })],
      broken,
    );
    assert.deepEqual(
      merge.conflicts.map((conflict) => conflict.path),
      ['checklist'],
    );
  });
});

describe('attachments merge by name and digest', () => {
  test('added on one leaf: kept; added on both with the same digest: no conflict', () => {
    const winner = editOf(root, 'bbb', {
      _attachments: { 'a.jpg': photoStub('md5-a'), 'b.jpg': photoStub('md5-b'), 'c.jpg': photoStub('md5-c') },
    });
    const loser = editOf(root, 'aaa', { _attachments: { 'a.jpg': photoStub('md5-a'), 'c.jpg': { ...photoStub('md5-c'), revpos: 2 } } });
    const merge = mergeLeaves([winner, loser], root);
    assert.deepEqual(merge.conflicts, []);
    assert.deepEqual(Object.keys(merge.merged?._attachments ?? {}), ['a.jpg', 'b.jpg', 'c.jpg']);
  });

  test('added on both leaves with different digests is a conflict', () => {
    const winner = editOf(root, 'bbb', { _attachments: { 'a.jpg': photoStub('md5-a'), 'b.jpg': photoStub('md5-ours') } });
    const loser = editOf(root, 'aaa', { _attachments: { 'a.jpg': photoStub('md5-a'), 'b.jpg': photoStub('md5-theirs') } });
    const merge = mergeLeaves([winner, loser], root);
    assert.deepEqual(merge.conflicts, [
      {
        kind: 'attachment',
        path: '_attachments[b.jpg]',
        options: [
          { rev: '2-bbb', value: photoStub('md5-ours') },
          { rev: '2-aaa', value: photoStub('md5-theirs') },
        ],
      },
    ]);
  });

  test('deleted on one leaf and kept unchanged on the other is deleted', () => {
    const merge = mergeLeaves([editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { _attachments: undefined })], root);
    assert.deepEqual(merge.conflicts, []);
    assert.equal(merge.merged?._attachments, undefined);
  });

  test('deleted on one leaf and changed on the other is a conflict', () => {
    const merge = mergeLeaves(
      [editOf(root, 'bbb', { _attachments: { 'a.jpg': photoStub('md5-a2') } }), editOf(root, 'aaa', { _attachments: undefined })],
      root,
    );
    assert.deepEqual(
      merge.conflicts.map((conflict) => [conflict.kind, conflict.path]),
      [['attachment', '_attachments[a.jpg]']],
    );
  });
});

describe('deleted vs edited', () => {
  test('deleted on one leaf and edited on the other needs an explicit choice', () => {
    const edited = editOf(root, 'aaa', { title: 'Still needed' });
    const deleted = deletionOf(root, 'zzz');
    const merge = mergeLeaves([deleted, edited], root);
    assert.deepEqual(
      merge.leaves.map((leaf) => leaf._rev),
      ['2-aaa', '2-zzz'],
      'a live leaf wins over a deleted one',
    );
    assert.deepEqual(merge.conflicts, [
      {
        kind: 'deletion',
        path: '_deleted',
        options: [
          { rev: '2-aaa', value: false },
          { rev: '2-zzz', value: true },
        ],
      },
    ]);
    assert.equal(merge.merged?.['title'], 'Still needed');
    assert.equal(mergeLeaves(merge.leaves, root, { _deleted: '2-zzz' }).merged, null);
  });

  test('deleted on one leaf while the other only touched audit fields is deleted', () => {
    const merge = mergeLeaves([deletionOf(root, 'zzz'), editOf(root, 'aaa', at('2026-11-22T08:00:00.000Z'))], root);
    assert.deepEqual(merge.conflicts, []);
    assert.equal(merge.merged, null);
  });
});

describe('three or more leaves', () => {
  test('disjoint edits on three leaves all merge', () => {
    const merge = mergeLeaves(
      [
        editOf(root, 'aaa', { title: 'A' }),
        editOf(root, 'bbb', { checklist: [checklistItem('c1', 'pass'), checklistItem('c2'), checklistItem('c3')] }),
        editOf(editOf(root, 'ccc', { notes: 'C' }), 'ddd', { _attachments: { 'a.jpg': photoStub('md5-a'), 'd.jpg': photoStub('md5-d') } }),
      ],
      root,
    );
    assert.deepEqual(merge.conflicts, []);
    assert.equal(merge.leaves[0]._rev, '3-ddd', 'the longest history wins');
    assert.equal(merge.merged?.['title'], 'A');
    assert.equal(merge.merged?.['notes'], 'C');
    assert.deepEqual((merge.merged?.['checklist'] as object[])[0], checklistItem('c1', 'pass'));
    assert.deepEqual(Object.keys(merge.merged?._attachments ?? {}), ['a.jpg', 'd.jpg']);
  });

  test('a conflict lists every leaf, including one that kept the original value', () => {
    const merge = mergeLeaves(
      [editOf(root, 'aaa', { title: 'A' }), editOf(root, 'bbb', { title: 'B' }), editOf(root, 'ccc', { site: 'C' })],
      root,
    );
    assert.deepEqual(merge.conflicts, [
      {
        kind: 'field',
        path: 'title',
        options: [
          { rev: '2-ccc', value: 'Boiler room' },
          { rev: '2-bbb', value: 'B' },
          { rev: '2-aaa', value: 'A' },
        ],
      },
    ]);
    const resolved = mergeLeaves(merge.leaves, root, { title: '2-aaa' }).merged;
    assert.equal(resolved?.['title'], 'A');
    assert.equal(resolved?.['site'], 'C');
  });

  test('the common ancestor is the newest revision all branches share', () => {
    const shared = editOf(root, 'mid', { title: 'Shared' });
    const merge = mergeLeaves([editOf(shared, 'aaa', {}), editOf(editOf(shared, 'bbb', {}), 'ccc', {}), editOf(shared, 'ddd', {})], shared);
    assert.equal(merge.ancestorRev, '2-mid');
  });
});

describe('without the ancestor (compacted away): two-way merge', () => {
  test('reports ancestorMissing and merges only what all leaves agree on', () => {
    const winner = editOf(root, 'bbb', { title: 'Ours' });
    const loser = editOf(root, 'aaa', { site: 'Plant 5' });
    const merge = mergeLeaves([winner, loser], null);
    assert.equal(merge.ancestorMissing, true);
    assert.equal(merge.ancestorRev, '1-root');
    assert.deepEqual(
      merge.conflicts.map((conflict) => conflict.path),
      ['title', 'site'],
    );
    assert.equal(merge.merged?.['scheduledFor'], root['scheduledFor']);
  });

  test('an item or attachment on one leaf only needs a choice: added and removed look alike', () => {
    const merge = mergeLeaves(
      [
        editOf(root, 'bbb', { checklist: [checklistItem('c1'), checklistItem('c2'), checklistItem('c3'), checklistItem('n1')] }),
        editOf(root, 'aaa', { _attachments: undefined }),
      ],
      null,
    );
    assert.deepEqual(
      merge.conflicts.map((conflict) => [conflict.kind, conflict.path]),
      [
        ['checklist-item', 'checklist[n1]'],
        ['attachment', '_attachments[a.jpg]'],
      ],
    );
  });

  test('deleted vs edited always needs a choice', () => {
    const merge = mergeLeaves([deletionOf(root, 'zzz'), editOf(root, 'aaa', at('2026-11-22T08:00:00.000Z'))], null);
    assert.deepEqual(
      merge.conflicts.map((conflict) => conflict.kind),
      ['deletion'],
    );
  });
});
