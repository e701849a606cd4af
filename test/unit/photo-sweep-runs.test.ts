import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { settledRun, storedRuns, withRun, type SweepRun } from '../../couch/photo-sweep-runs';

const run = (at: string, seq: number): SweepRun => ({ at, seq });

describe('photo sweep runs', () => {
  test('the settled run is the latest one at or before the cutoff, whatever their order', () => {
    const runs = [run('2026-03-05T02:00:00.000Z', 50), run('2026-03-01T02:00:00.000Z', 10), run('2026-03-03T02:00:00.000Z', 30)];
    assert.deepEqual(settledRun(runs, Date.parse('2026-03-04T00:00:00.000Z')), runs[2]);
    assert.deepEqual(settledRun(runs, Date.parse('2026-03-05T02:00:00.000Z')), runs[0]);
    assert.equal(settledRun(runs, Date.parse('2026-02-28T00:00:00.000Z')), null);
    assert.equal(settledRun([], Date.now()), null);
  });

  test("a sweep every ten minutes keeps one run a day, each day's latest, so runs old enough to settle photos stay", () => {
    let runs: SweepRun[] = [];
    const start = Date.parse('2026-01-01T00:05:00.000Z');
    for (let n = 0; n < 6 * 24 * 30; n++) runs = withRun(runs, run(new Date(start + n * 600_000).toISOString(), n));
    assert.equal(runs.length, 30);
    assert.deepEqual(runs.slice(0, 2), [run('2026-01-01T23:55:00.000Z', 143), run('2026-01-02T23:55:00.000Z', 287)]);
    // A week's grace on the 30th at noon: the latest run kept on or before the 23rd at noon is the 22nd's last.
    assert.deepEqual(settledRun(runs, Date.parse('2026-01-23T12:00:00.000Z')), run('2026-01-22T23:55:00.000Z', 3167));
  });

  test('a year and a month of daily runs are kept, the oldest dropped first', () => {
    let runs: SweepRun[] = [];
    const start = Date.parse('2025-01-01T03:00:00.000Z');
    for (let day = 0; day < 450; day++) runs = withRun(runs, run(new Date(start + day * 86_400_000).toISOString(), day));
    assert.equal(runs.length, 400);
    assert.equal(runs[0].seq, 50);
    assert.equal(runs.at(-1)!.seq, 449);
  });

  test('a record edited into another shape gives the runs it still holds, never a throw', () => {
    const good = run('2026-03-01T02:00:00.000Z', 10);
    const couchSeq = { at: '2026-03-02T02:00:00.000Z', seq: '12-g1AAAABteJzLYWBgYMpgTmHgz8tPSTV0MDQy' };
    assert.deepEqual(storedRuns({ runs: [good, couchSeq] }), [good, couchSeq]);
    for (const record of [null, undefined, 'runs', {}, { runs: 'all' }, { runs: { at: good.at, seq: 10 } }])
      assert.deepEqual(storedRuns(record), []);
    const bad = [
      null,
      7,
      [],
      { at: good.at },
      { seq: 10 },
      { at: 'yesterday', seq: 10 },
      { at: '2026-03-01', seq: 10 },
      { at: good.at, seq: -1 },
      { at: good.at, seq: '' },
      { at: good.at, seq: 1.5 },
      { at: good.at, seq: { n: 1 } },
      { at: 20260301, seq: 10 },
    ];
    assert.deepEqual(storedRuns({ runs: [...bad, good] }), [good]);
    assert.deepEqual(storedRuns({ runs: [{ ...good, extra: 'x'.repeat(100) }] }), [good], 'only what a run is made of is kept');
  });
});
