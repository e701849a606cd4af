import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { userDbName } from '../../domain/user-db-name';
import { buildProxyIfStale, PROXY_ARGS } from '../../scripts/build-proxy';
import { alive, childPids, startCompiledProxy } from '../support/compiled-proxy';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { waitFor } from '../support/fixtures';
import { settlesWithin } from '../support/open-feed';

/** The compiled proxy (dist/proxy/main.js) as production runs it: plain node, alone, or as node:cluster workers. */
let stack: TestStack;
const children: ChildProcess[] = [];
before(async () => {
  stack = await startTestStack({ alice: 'inspector' });
  await buildProxyIfStale();
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stack?.stop();
});

/** Starts the compiled proxy, stopped after the file's tests. */
async function startCompiled(env: Record<string, string> = {}) {
  const started = await startCompiledProxy(stack.couch.adminUrl, env);
  children.push(started.child);
  return started;
}

describe('the compiled proxy process', () => {
  test('starts with plain node, serves logins and databases, and drains on SIGTERM with exit code 0', async () => {
    const { child, ready, startMs } = await startCompiled();
    // Printed, not asserted (a benchmark measures; a busy CI machine must not fail on time).
    console.log(`compiled proxy listening ${startMs} ms after spawn`);
    const cookie = await loginCookie(ready.url, 'alice');
    assert.equal((await fetch(`${ready.url}/db/${userDbName('alice')}`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${ready.url}/health/ready`)).status, 200);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0);
  });

  test('FIELDBOOK_PROXY_WORKERS=2: two workers on one port share sessions, a dead worker is replaced, SIGTERM stops them all', async () => {
    const { child, ready } = await startCompiled({ FIELDBOOK_PROXY_WORKERS: '2' });
    assert.equal(ready.workers?.length, 2);
    const cookie = await loginCookie(ready.url, 'alice');
    // Connections go round-robin: whichever worker answers knows the session.
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${ready.url}/db/${userDbName('alice')}`, { headers: { cookie, connection: 'close' } });
      assert.equal(response.status, 200);
    }
    const [dead] = ready.workers!;
    process.kill(dead, 'SIGKILL');
    const workers = await waitFor(
      async () => {
        const pids = childPids(ready.pid);
        return pids.length === 2 && !pids.includes(dead) && pids;
      },
      30_000,
      'a replacement worker',
    );
    // The port keeps answering, whichever worker takes the connection.
    await waitFor(
      async () => (await fetch(`${ready.url}/health/live`, { headers: { connection: 'close' } }).catch(() => null))?.ok,
      30_000,
      'the port to answer',
    );
    for (let i = 0; i < 4; i++)
      assert.equal((await fetch(`${ready.url}/db/${userDbName('alice')}`, { headers: { cookie, connection: 'close' } })).status, 200);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.ok(await settlesWithin(exited, 30_000), 'the primary exited');
    assert.equal(child.exitCode, 0);
    for (const pid of workers) assert.equal(alive(pid), false, `worker ${pid} stopped too`);
  });
});

/** Runs the compiled proxy, which must stop by itself: its exit code and what it wrote on stderr. */
async function runUntilItStops(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, PROXY_ARGS, {
    // LOG_LEVEL=error: nothing but what it says about failing.
    env: {
      ...process.env,
      COUCH_URL: stack.couch.adminUrl,
      LOG_LEVEL: 'error',
      FIELDBOOK_STATIC_DIR: join(tmpdir(), 'fieldbook-no-app'),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  assert.ok(await settlesWithin(exited, 60_000), `the proxy is still running; stderr so far: ${stderr}`);
  return { code: child.exitCode, stderr };
}

describe('the compiled proxy, when it cannot start', () => {
  for (const workers of ['1', '2']) {
    test(`its port in use (FIELDBOOK_PROXY_WORKERS=${workers}): one sentence and exit code 1, no stack, no endless restarts`, async () => {
      const holder = createServer().listen(0, '127.0.0.1');
      await once(holder, 'listening');
      const port = (holder.address() as { port: number }).port;
      try {
        const { code, stderr } = await runUntilItStops({ PORT: String(port), FIELDBOOK_PROXY_WORKERS: workers });
        assert.equal(code, 1, stderr);
        assert.equal(stderr, `Port ${port} on 127.0.0.1 is in use: stop what holds it or set PORT.\n`);
      } finally {
        holder.close();
      }
    });
  }

  test('a setting that is no number (FIELDBOOK_SESSION_DAYS=abc): one sentence and exit code 1, before anything listens', async () => {
    for (const workers of ['1', '2']) {
      const { code, stderr } = await runUntilItStops({ PORT: '0', FIELDBOOK_SESSION_DAYS: 'abc', FIELDBOOK_PROXY_WORKERS: workers });
      assert.equal(code, 1, stderr);
      assert.equal(stderr, 'FIELDBOOK_SESSION_DAYS must be a number above 0, not "abc".\n');
    }
  });

  // Read as NaN, a drain bound made SIGTERM exit at once with code 1, cutting writes in flight,
  // and a metrics port was silently none.
  for (const [setting, value, sentence] of [
    ['FIELDBOOK_DRAIN_MS', '10s', 'FIELDBOOK_DRAIN_MS must be a number above 0, not "10s".'],
    ['FIELDBOOK_METRICS_PORT', 'abc', 'FIELDBOOK_METRICS_PORT must be a port number (0 to 65535), not "abc".'],
    // Each started one process, silently; a misspelt "true" served cookies without Secure behind HTTPS.
    ['FIELDBOOK_PROXY_WORKERS', '2.5', 'FIELDBOOK_PROXY_WORKERS must be a whole number from 1, not "2.5".'],
    ['FIELDBOOK_SECURE_COOKIES', 'ture', 'FIELDBOOK_SECURE_COOKIES must be true or false, not "ture".'],
  ]) {
    test(`${setting}=${value}: one sentence and exit code 1, before anything listens`, async () => {
      for (const workers of ['1', '2']) {
        const { code, stderr } = await runUntilItStops({ PORT: '0', FIELDBOOK_PROXY_WORKERS: workers, [setting]: value });
        assert.equal(code, 1, stderr);
        assert.equal(stderr, `${sentence}\n`);
      }
    });
  }
});
