import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ancestorRevs,
  commonAncestorRev,
  fetchCommonAncestor,
  mergedLeaves,
  parseRev,
  winnerFirst,
} from '../../domain/conflicts/revision-tree';
import type { LeafDoc } from '../../domain/conflicts/stored-doc';

function leaf(rev: string, history: string[], deleted = false): LeafDoc {
  const { position, id } = parseRev(rev);
  return { _id: 'doc', _rev: rev, _revisions: { start: position, ids: [id, ...history] }, ...(deleted ? { _deleted: true } : {}) };
}

describe('revision tree', () => {
  test('parseRev splits position and id, and refuses anything else', () => {
    assert.deepEqual(parseRev('12-abc-def'), { position: 12, id: 'abc-def' });
    assert.throws(() => parseRev('abc'), /not a revision: abc/);
  });

  test('winnerFirst orders like CouchDB: live, then longest history, then greatest id', () => {
    const ordered = winnerFirst([leaf('2-b', ['a']), leaf('9-z', ['y'], true), leaf('3-a', ['x', 'a']), leaf('2-c', ['a'])]);
    assert.deepEqual(
      ordered.map((doc) => doc._rev),
      ['3-a', '2-c', '2-b', '9-z'],
    );
  });

  test('the common ancestor is the newest revision in every history', () => {
    assert.equal(commonAncestorRev([leaf('3-c', ['b', 'a']), leaf('4-f', ['e', 'b', 'a']), leaf('2-d', ['a'])]), '1-a');
    assert.equal(commonAncestorRev([leaf('3-c', ['b', 'a']), leaf('4-f', ['e', 'b', 'a'])]), '2-b');
  });

  test('a merge took in the versions it names: one of them, edited further elsewhere, is the newest shared', () => {
    const merge = { ...leaf('3-m', ['b', 'a']), mergedFrom: ['2-b', '2-c'] };
    assert.equal(commonAncestorRev([merge, leaf('3-d', ['c', 'a'])]), '2-c');
    assert.equal(commonAncestorRev([merge, leaf('2-e', ['a'])]), '1-a');
    // Anything else in `mergedFrom` is no revision taken in.
    assert.equal(commonAncestorRev([{ ...merge, mergedFrom: ['c', 7] }, leaf('3-d', ['c', 'a'])]), '1-a');
  });

  test('histories cut short by revs_limit share no ancestor', () => {
    assert.equal(commonAncestorRev([leaf('30-c', ['b']), leaf('31-f', ['e'])]), null);
  });

  test('fetchCommonAncestor loads the ancestor, and gives null when it is gone or there is none', async () => {
    const requested: string[] = [];
    const ancestor = { _id: 'doc', _rev: '1-a', title: 'old' };
    const leaves = [leaf('2-b', ['a']), leaf('2-c', ['a'])];
    assert.deepEqual(await fetchCommonAncestor(leaves, async (rev) => (requested.push(rev), ancestor)), ancestor);
    assert.deepEqual(requested, ['1-a']);
    assert.equal(await fetchCommonAncestor(leaves, async () => null), null);
    assert.equal(await fetchCommonAncestor([leaf('5-b', ['x']), leaf('5-c', ['y'])], () => assert.fail('nothing to fetch')), null);
  });
});

describe('mergedLeaves', () => {
  test('takes the leaves of both copies once, but none the other copy has moved on from', () => {
    const local = [leaf('1-a', [])];
    const server = [leaf('2-b', ['a'], true), leaf('2-c', ['a'])];
    assert.deepEqual(
      mergedLeaves(local, server).map((doc) => doc._rev),
      ['2-b', '2-c'],
    );
    assert.deepEqual(
      mergedLeaves([leaf('3-d', ['b', 'a'])], server).map((doc) => doc._rev),
      ['3-d', '2-c'],
    );
    assert.deepEqual(mergedLeaves([], []), []);
  });

  test('ancestorRevs lists what a leaf descends from, its parent first', () => {
    assert.deepEqual(ancestorRevs(leaf('3-d', ['b', 'a'])), ['2-b', '1-a']);
    assert.deepEqual(ancestorRevs(leaf('1-a', [])), []);
  });
});
