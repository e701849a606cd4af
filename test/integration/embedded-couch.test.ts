import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { startEmbeddedCouch } from '../../couch/embedded-couch';
import { waitFor } from '../support/fixtures';
import { freePort } from '../support/free-port';
import { settlesWithin } from '../support/open-feed';

/** How the embedded server (couch/embedded-couch.ts) fails to start: at once, in one sentence, leaving nothing running. */
const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldbook-embedded-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Something else answering HTTP on a port, as another `npm start`'s server or a CouchDB would. */
async function occupiedPort(): Promise<{ port: number; close(): void }> {
  const other = createServer((_, res) => res.end('{}')).listen(0, '127.0.0.1');
  await once(other, 'listening');
  return { port: (other.address() as { port: number }).port, close: () => other.close() };
}

describe('the embedded server, when it cannot start', () => {
  test('its port in use: one sentence naming the way out, instead of working with whatever answers there', async () => {
    const other = await occupiedPort();
    try {
      await assert.rejects(
        startEmbeddedCouch({ dataDir: dataDir(), port: other.port }),
        new Error(
          `Port ${other.port} on 127.0.0.1 is in use (another "npm start", or CouchDB?): stop it, or set FIELDBOOK_COUCH_PORT to another port (or COUCH_URL to use that server).`,
        ),
      );
    } finally {
      other.close();
    }
  });

  test('PouchDB Server that cannot listen exits with code 1, rather than run on serving nothing', async () => {
    const other = await occupiedPort();
    const dir = dataDir();
    const args = ['--import', pathToFileURL(require.resolve('tsx')).href, join(__dirname, '../../couch/pouchdb-server-main.ts')];
    const server = spawn(process.execPath, [...args, '--port', String(other.port), '--dir', dir, '--config', join(dir, 'config.json')], {
      cwd: dir,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(server, 'exit');
    try {
      assert.ok(await settlesWithin(exited, 60_000), `still running; stderr: ${stderr}`);
      assert.equal(server.exitCode, 1, stderr);
      assert.match(stderr, /^PouchDB Server cannot listen: listen EADDRINUSE/m);
    } finally {
      server.kill('SIGKILL');
      other.close();
    }
  });

  test('a server that exits before it answers fails the start at once, with what it said, and is not restarted', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'config.json'), '{not json');
    const port = await freePort();
    // Without this, the start waited its full 30 s for an answer while the server was restarted again and again.
    await assert.rejects(
      startEmbeddedCouch({ dataDir: dir, port }),
      /^Error: The embedded PouchDB Server exited \(code 1\) before it answered: .*SyntaxError/s,
    );
  });

  test('damaged credentials (a full disk left the file empty) fail the start in one sentence naming the file', async () => {
    const dir = dataDir();
    const file = join(dir, 'admin-credentials.json');
    writeFileSync(file, '');
    await assert.rejects(
      startEmbeddedCouch({ dataDir: dir, port: await freePort() }),
      new Error(`${file} is not the embedded server's credentials (empty or damaged): restore it from a backup of that folder.`),
    );
  });
});

describe('the embedded server, running', () => {
  test("outlives the terminal's Ctrl-C (it reaches the whole process group): its supervisor stops it once the proxy is done", async () => {
    const dir = dataDir();
    const port = await freePort();
    const args = ['--import', pathToFileURL(require.resolve('tsx')).href, join(__dirname, '../../couch/pouchdb-server-main.ts')];
    const server = spawn(process.execPath, [...args, '--port', String(port), '--dir', dir, '--config', join(dir, 'config.json')], {
      cwd: dir,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    const exited = once(server, 'exit');
    try {
      await waitFor(
        () =>
          fetch(`http://127.0.0.1:${port}/`).then(
            (response) => response.ok,
            () => false,
          ),
        60_000,
        'the server answering',
      );
      let stderr = '';
      const heard = new Promise<void>((resolve) =>
        server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()).includes('SIGINT') && resolve()),
      );
      server.kill('SIGINT');
      assert.ok(await settlesWithin(heard, 60_000), `the SIGINT handled; stderr: ${stderr}`);
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).ok, true);
      assert.equal(server.exitCode, null);
      server.kill('SIGTERM');
      assert.ok(await settlesWithin(exited, 60_000), 'SIGTERM stops it');
    } finally {
      server.kill('SIGKILL');
    }
  });

  test("keeps its data folder to its owner: its config holds what signs a server admin's session cookie", async () => {
    const dir = dataDir();
    chmodSync(dir, 0o755);
    const couch = await startEmbeddedCouch({ dataDir: dir, port: await freePort() });
    try {
      await couch.ready();
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      assert.equal(statSync(join(dir, 'admin-credentials.json')).mode & 0o777, 0o600);
    } finally {
      await couch.stop();
    }
  });
});
