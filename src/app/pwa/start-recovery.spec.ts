import { recoverFromFailedStart, START_RELOADED_AT_KEY, START_RETRY_WINDOW_MS, type StartRecoveryEnv } from './start-recovery';

/** A page's storage, clock and reload, recording what recovery did. */
function fakePage(now: number, reloadedAt?: number) {
  const stored = new Map<string, string>(reloadedAt === undefined ? [] : [[START_RELOADED_AT_KEY, String(reloadedAt)]]);
  const done = {
    reloads: 0,
    shown: [] as { message: string; detail: string; action: string }[],
    retry: undefined as (() => void) | undefined,
  };
  const env: StartRecoveryEnv = {
    storage: { getItem: (key) => stored.get(key) ?? null, setItem: (key, value) => void stored.set(key, value) },
    now: () => now,
    reload: () => done.reloads++,
    show: (failure, retry) => {
      done.shown.push(failure);
      done.retry = retry;
    },
  };
  return { env, done, stored };
}

const chunkFailure = new TypeError('Failed to fetch dynamically imported module: http://127.0.0.1/chunk-LMZ2DLHH.js');

describe('recovering from a failed start', () => {
  it('reloads the page once, and remembers when', () => {
    const { env, done, stored } = fakePage(1_000_000);
    expect(recoverFromFailedStart(chunkFailure, env)).toBe('reloaded');
    expect(done.reloads).toBe(1);
    expect(done.shown).toEqual([]);
    expect(stored.get(START_RELOADED_AT_KEY)).toBe('1000000');
  });

  it('failing again right after that reload, says why and offers to try again instead of reloading in a loop', () => {
    const { env, done } = fakePage(1_000_000, 1_000_000 - 2_000);
    expect(recoverFromFailedStart(chunkFailure, env)).toBe('shown');
    expect(done.reloads).toBe(0);
    expect(done.shown.length).toBe(1);
    expect(done.shown[0].message).toContain('could not start');
    expect(done.shown[0].detail).toBe(chunkFailure.message);
    expect(done.shown[0].action).toBe('Try again');
    done.retry!();
    expect(done.reloads).toBe(1);
  });

  it('reloads again for a failure long after the last reload', () => {
    const { env, done } = fakePage(1_000_000, 1_000_000 - START_RETRY_WINDOW_MS);
    expect(recoverFromFailedStart('not an Error', env)).toBe('reloaded');
    expect(done.reloads).toBe(1);
  });
});
