import assert from 'node:assert/strict';
import { setImmediate as settled } from 'node:timers/promises';
import { afterEach, beforeEach, mock, test } from 'node:test';
import pino from 'pino';
import { sweepExpiredSessions } from '../../proxy/expired-session-sweep';

const HOUR_MS = 3600_000;

beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
afterEach(() => mock.timers.reset());

/** A sweep whose deletions answer `answers` in turn (a failure when an Error, held when a promise). */
function sweepWith(answers: (string[] | Error | Promise<string[]>)[]) {
  const calls: number[] = [];
  const logged: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) });
  const deleteExpired = async (now: number) => {
    calls.push(now);
    const answer = answers[calls.length - 1] ?? [];
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return { calls, logged, sweep: sweepExpiredSessions({ deleteExpired, logger, everyMs: HOUR_MS }) };
}

test('expired sessions are deleted at start and every hour after, also after a failed sweep, until stopped', async () => {
  const before = Date.now();
  const { calls, logged, sweep } = sweepWith([['session-a'], new Error('connect ECONNREFUSED')]);
  await settled();
  assert.equal(calls.length, 1, 'at start');
  assert.ok(calls[0]! >= before && calls[0]! <= Date.now(), 'those expired before now');
  mock.timers.tick(HOUR_MS - 1);
  await settled();
  assert.equal(calls.length, 1);
  mock.timers.tick(1);
  await settled();
  assert.equal(calls.length, 2, 'an hour later');
  mock.timers.tick(HOUR_MS);
  await settled();
  assert.equal(calls.length, 3, 'the failure did not end the sweeps');
  assert.deepEqual(logged, ['deleted expired sessions', 'could not delete expired sessions']);
  sweep.stop();
  mock.timers.tick(10 * HOUR_MS);
  await settled();
  assert.equal(calls.length, 3, 'none once stopped');
});

test('a sweep under way when the proxy stops schedules no other', async () => {
  let finish!: (ids: string[]) => void;
  const { calls, sweep } = sweepWith([new Promise<string[]>((resolve) => (finish = resolve))]);
  sweep.stop();
  finish([]);
  await settled();
  mock.timers.tick(10 * HOUR_MS);
  await settled();
  assert.equal(calls.length, 1);
});
