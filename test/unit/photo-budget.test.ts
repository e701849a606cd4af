import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LocalPhoto, photosToEvict } from '../../src/app/photos/photo-budget';

const photo = (id: string, bytes: number, usedAt: number, unsynced = false): LocalPhoto => ({ id, bytes, usedAt, unsynced });

test('nothing is dropped within the budget', () => {
  assert.deepEqual(photosToEvict([photo('a', 40, 1), photo('b', 60, 2)], 100), []);
});

test('the least recently opened go first, until the rest fit', () => {
  const photos = [photo('new', 50, 30), photo('old', 50, 10), photo('middle', 50, 20)];
  assert.deepEqual(photosToEvict(photos, 100), ['old']);
  assert.deepEqual(photosToEvict(photos, 50), ['old', 'middle']);
});

test('an unsynced photo is never dropped, though it counts', () => {
  const photos = [photo('taken here', 80, 1, true), photo('cached', 50, 5), photo('opened now', 50, 9)];
  assert.deepEqual(photosToEvict(photos, 100), ['cached', 'opened now']);
  assert.deepEqual(photosToEvict([photo('taken here', 500, 1, true)], 100), []);
});
