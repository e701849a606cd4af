import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { splitCredentials } from '../../couch/couch-admin';
import { startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { freePort } from '../support/free-port';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector' });
});
// Ends the `npm start` processes still running when this file ends, however it ends.
const fileEnded = new AbortController();
after(async () => {
  fileEnded.abort();
  await stack?.stop();
});

/** `npm start` with this COUCH_URL; it must stop before starting anything. */
async function start(couchUrl: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, '../../scripts/start.ts'), '--demo'], {
    env: { ...process.env, COUCH_URL: couchUrl, PORT: String(await freePort()) },
    timeout: 60_000,
    signal: fileEnded.signal,
    killSignal: 'SIGKILL',
  });
  return run.then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

const withCredentials = (name: string, password: string) => {
  const url = new URL(splitCredentials(stack.couch.adminUrl).url);
  url.username = name;
  url.password = password;
  return url.toString();
};

describe('npm start with a wrong COUCH_URL', () => {
  const cases: [string, () => Promise<string>, RegExp][] = [
    ['unreachable', async () => `http://admin:x@127.0.0.1:${await freePort()}`, /^Cannot reach CouchDB at .*\(connection refused\)/],
    [
      'wrong password',
      async () => withCredentials(splitCredentials(stack.couch.adminUrl).name, 'wrong-password'),
      /refused the user name or password/,
    ],
    ['not a server admin', async () => withCredentials('alice', TEST_PASSWORD), /"alice" \(from COUCH_URL\) is not a CouchDB server admin/],
  ];
  for (const [what, couchUrl, expected] of cases) {
    test(`${what}: one clear sentence and exit code 1, no stack trace`, async () => {
      const { code, stdout, stderr } = await start(await couchUrl());
      assert.equal(code, 1, stdout + stderr);
      const lines = stderr.trim().split('\n');
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, expected);
    });
  }
});
