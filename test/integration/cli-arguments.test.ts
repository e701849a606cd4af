import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../support/free-port';

/*
 * A server CLI's arguments are checked before the server is asked: a mistyped command is told
 * its usage (exit code 2) whether or not the server is up, and never runs with a value it
 * misread. The server here is unreachable, so a CLI that got as far as it says so instead.
 */

// Ends the CLI processes still running when this file ends, however it ends.
const fileEnded = new AbortController();
after(() => fileEnded.abort());

async function run(cli: string, args: string[]): Promise<{ code: number; stderr: string }> {
  const env = { PATH: process.env['PATH'], COUCH_URL: `http://admin:secret@127.0.0.1:${await freePort()}` };
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, '../../couch', `${cli}.ts`), ...args], {
      env,
      signal: fileEnded.signal,
      killSignal: 'SIGKILL',
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const { code, stderr } = error as { code: number; stderr: string };
    return { code, stderr };
  }
}

describe('server CLIs with bad arguments, the server unreachable', () => {
  test('npm run settings: a bad command or period is told as such, not that the server is unreachable', async () => {
    const [unknown, badDays] = await Promise.all([
      run('settings-cli', ['archive-dayz', '4']),
      run('settings-cli', ['archive-days', 'abc']),
    ]);
    assert.deepEqual(unknown, { code: 2, stderr: 'usage: npm run settings [-- archive-days <days>]\n' });
    assert.deepEqual(badDays, { code: 2, stderr: 'archive-days must be a whole number of days from 0 to 3650, not "abc"\n' });
  });

  test('npm run photos: an empty or mistyped --days, or an unknown option, is told its usage, never swept with as 0 days', async () => {
    const usage = { code: 2, stderr: 'usage: npm run photos -- sweep [--days N] [--dry-run]\n' };
    const answers = await Promise.all([
      run('photos-cli', ['sweep', '--days=']),
      run('photos-cli', ['sweep', '--days', ' ']),
      run('photos-cli', ['sweep', '--days', '0x7']),
      run('photos-cli', ['sweep', '--dayz', '7']),
      run('photos-cli', ['sweep', '--days']),
    ]);
    assert.deepEqual(
      answers,
      answers.map(() => usage),
    );
  });
});
