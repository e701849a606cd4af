import assert from 'node:assert/strict';
import { test } from 'node:test';
import { atMostAtOnce } from '../../domain/at-most-at-once';

test('atMostAtOnce runs every index once, never more than the limit at a time, and starts the next as one ends', async () => {
  let running = 0;
  let peak = 0;
  const ran: number[] = [];
  await atMostAtOnce(3, 10, async (index) => {
    running++;
    peak = Math.max(peak, running);
    // Later indexes end sooner, so a free slot is taken by whichever worker finished first.
    await new Promise((resolve) => setImmediate(resolve));
    if (index % 2) await new Promise((resolve) => setImmediate(resolve));
    ran.push(index);
    running--;
  });
  assert.equal(peak, 3);
  assert.deepEqual(
    [...ran].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
});

test('atMostAtOnce with fewer items than the limit, or none, starts only what there is', async () => {
  const ran: number[] = [];
  await atMostAtOnce(8, 2, async (index) => void ran.push(index));
  assert.deepEqual(ran, [0, 1]);
  await atMostAtOnce(8, 0, async () => assert.fail('no work for no items'));
});

test('atMostAtOnce rejects with the first failure', async () => {
  await assert.rejects(
    atMostAtOnce(2, 4, async (index) => {
      if (index === 1) throw new Error('item 1 failed');
    }),
    /item 1 failed/,
  );
});
