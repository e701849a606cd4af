import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildDesignDocsIfStale } from '../../couch/design/build';
import { buildBootstrapIfStale } from '../../scripts/build-bootstrap';
import { CLI_ARGS, compiledCli, runCompiledCli } from '../support/compiled-cli';
import { freePort } from '../support/free-port';

/*
 * Every server CLI (couch/*-cli.ts), compiled as the image ships it (dist/couch/<name>.js) and
 * run with plain node, asks the server first and stops with one sentence when it cannot work
 * with it, instead of nano's "error happened in your connection" (or a wait of minutes).
 */
const ROOT = join(__dirname, '../..');
const CLIS = readdirSync(join(ROOT, 'couch'))
  .filter((file) => file.endsWith('-cli.ts'))
  .map((file) => basename(file, '.ts'));
let dir: string;
before(async () => {
  buildDesignDocsIfStale();
  await buildBootstrapIfStale();
  dir = mkdtempSync(join(tmpdir(), 'fieldbook-cli-check-'));
});
// Ends the CLI processes still running when this file ends, however it ends.
const fileEnded = new AbortController();
after(() => {
  fileEnded.abort();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const runCli = (name: string, env: NodeJS.ProcessEnv) => runCompiledCli(name, env, fileEnded.signal);

describe('the server CLIs, when the server is not there', () => {
  test('every one is compiled for the image (and tried here)', () => {
    assert.deepEqual([...CLIS].sort(), Object.keys(CLI_ARGS).sort());
    for (const name of CLIS) assert.ok(existsSync(compiledCli(name)), `${compiledCli(name)} is built`);
  });

  test('the embedded server not running (COUCH_URL unset): one sentence saying to start it, exit code 1', async () => {
    // The embedded server's credentials are there, as after a first "npm start"; the server is not.
    mkdirSync(join(dir, 'couch'), { recursive: true });
    writeFileSync(join(dir, 'couch', 'admin-credentials.json'), JSON.stringify({ name: 'couchdb-admin', password: 'secret' }));
    const env = { FIELDBOOK_DATA_DIR: dir, FIELDBOOK_COUCH_PORT: String(await freePort()) };
    // conflicts-cli works with COUCH_URL only.
    const results = await Promise.all(
      CLIS.filter((name) => name !== 'conflicts-cli').map(async (name) => [name, await runCli(name, env)] as const),
    );
    for (const [name, { code, stderr }] of results) {
      assert.equal(code, 1, `${name}: ${stderr}`);
      assert.match(
        stderr,
        /^The embedded server at http:\/\/127\.0\.0\.1:\d+ is not running \(connection refused\): start it with "npm start", or set COUCH_URL\.\n$/,
        name,
      );
    }
  });

  test('COUCH_URL unreachable: one sentence naming it, exit code 1', async () => {
    const env = { COUCH_URL: `http://admin:secret@127.0.0.1:${await freePort()}` };
    const results = await Promise.all(CLIS.map(async (name) => [name, await runCli(name, env)] as const));
    for (const [name, { code, stderr }] of results) {
      assert.equal(code, 1, `${name}: ${stderr}`);
      assert.match(
        stderr,
        /^Cannot reach CouchDB at http:\/\/127\.0\.0\.1:\d+ \(connection refused\): is it running, and is COUCH_URL right\?\n$/,
        name,
      );
    }
  });

  test('a server that takes connections and never answers: one sentence after 10 s, not a wait of minutes', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const env = { COUCH_URL: `http://admin:secret@127.0.0.1:${(silent.address() as { port: number }).port}` };
      const results = await Promise.all(CLIS.map(async (name) => [name, await runCli(name, env)] as const));
      for (const [name, { code, stderr }] of results) {
        assert.equal(code, 1, `${name}: ${stderr}`);
        assert.match(stderr, /^Cannot reach CouchDB at http:\/\/127\.0\.0\.1:\d+ \(no answer within 10 s\)/, name);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
