import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { splitCredentials } from '../../couch/couch-admin';
import { buildProxyIfStale } from '../../scripts/build-proxy';
import { startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { freePort } from '../support/free-port';
import { settlesWithin } from '../support/open-feed';

let stack: TestStack;
let dir: string;
before(async () => {
  stack = await startTestStack({ alice: 'inspector' });
  dir = mkdtempSync(join(tmpdir(), 'fieldbook-start-'));
});
// Ends the `npm start` processes still running when this file ends, however it ends.
const fileEnded = new AbortController();
const groups: ChildProcess[] = [];
after(async () => {
  fileEnded.abort();
  for (const group of groups) killGroup(group);
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** `npm start` with this COUCH_URL; it must stop before starting anything. */
async function start(couchUrl: string | undefined, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, '../../scripts/start.ts'), '--demo'], {
    env: { ...process.env, COUCH_URL: couchUrl, PORT: String(await freePort()), ...env },
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
      assertOneSentence(await start(await couchUrl()), expected);
    });
  }
});

function assertOneSentence({ code, stdout, stderr }: { code: number; stdout: string; stderr: string }, expected: RegExp): void {
  assert.equal(code, 1, stdout + stderr);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, expected);
}

describe('npm start with a wrong setting', () => {
  test('FIELDBOOK_SESSION_DAYS that is no number: one sentence and exit code 1, before touching the server', async () => {
    assertOneSentence(
      await start(stack.couch.adminUrl, { FIELDBOOK_SESSION_DAYS: 'abc' }),
      /^FIELDBOOK_SESSION_DAYS must be a number above 0, not "abc"\.$/,
    );
  });

  test("the embedded server's port in use (another npm start, or CouchDB): one sentence naming the way out", async () => {
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    try {
      const port = (holder.address() as { port: number }).port;
      const result = await start(undefined, { FIELDBOOK_DATA_DIR: join(dir, 'embedded'), FIELDBOOK_COUCH_PORT: String(port) });
      assertOneSentence(result, new RegExp(`^Port ${port} on 127\\.0\\.0\\.1 is in use .*set FIELDBOOK_COUCH_PORT`));
    } finally {
      holder.close();
    }
  });
});

/** Kills a detached child's whole process group, whatever is left of it. */
function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

describe('npm start, stopped', () => {
  test('SIGTERM to `npm start` stops the whole stack, the proxy too', async () => {
    await buildProxyIfStale();
    // A stub page: no `ng build`.
    const staticDir = join(dir, 'static');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>stub</title>');
    // As the README says to run it: npm runs the script through `sh -c`, which must pass the signal on.
    const npm = spawn('npm', ['start'], {
      cwd: join(__dirname, '../..'),
      env: {
        ...process.env,
        COUCH_URL: stack.couch.adminUrl,
        PORT: '0',
        FIELDBOOK_STATIC_DIR: staticDir,
        LOG_LEVEL: 'warn',
        npm_config_update_notifier: 'false',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
      // Its own process group: whatever is left of it after the test is killed, also when the test fails.
      detached: true,
    });
    groups.push(npm);
    const exited = once(npm, 'exit');
    let url: string | undefined;
    for await (const line of createInterface({ input: npm.stdout! })) {
      url = /^Fieldbook is running at (\S+?)\/?$/.exec(line)?.[1];
      if (url) break;
    }
    npm.stdout!.resume();
    assert.ok(url, 'npm start printed where it runs');
    assert.equal((await fetch(`${url}/health/live`)).status, 200);
    npm.kill('SIGTERM');
    assert.ok(await settlesWithin(exited, 60_000), 'npm start exited');
    await assert.rejects(fetch(`${url}/health/live`), 'the proxy stopped with it');
  });
});
