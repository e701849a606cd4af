import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { couchAdmin } from '../../couch/couch-admin';
import { designArtefactFile } from '../../couch/design-docs';
import { buildDesignDocsIfStale } from '../../couch/design/build';
import { userDbName } from '../../domain/user-db-name';
import { BOOTSTRAP_BUNDLE, buildBootstrapIfStale, USER_CLI_BUNDLE } from '../../scripts/build-bootstrap';
import { startTestServer, type TestServer } from '../support/test-server';

/*
 * The container's bootstrap as the image runs it: dist/couch/bootstrap.js with plain node,
 * reading the built design documents, and never loading the TypeScript compiler or tsx (a
 * preloaded hook makes any attempt fail, and lists every module file it loaded). Likewise the
 * compiled user CLI, dist/couch/user-cli.js, which provisions a user's database.
 */
let server: TestServer;
let dir: string;
let guard: string;
before(async () => {
  buildDesignDocsIfStale();
  await buildBootstrapIfStale();
  dir = mkdtempSync(join(tmpdir(), 'fieldbook-bootstrap-bundle-'));
  guard = join(dir, 'no-dev-tools.cjs');
  writeFileSync(
    guard,
    `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (/^(typescript|tsx|esbuild)(\\/|$)/.test(request)) throw new Error('the bootstrap asked for ' + request);
  return resolve.call(this, request, ...rest);
};
process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'loaded.json'))}, JSON.stringify(Object.keys(require.cache))));
`,
  );
  server = await startTestServer(join(dir, 'server'));
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function runBundle(
  env: Record<string, string | undefined>,
  args: string[] = [],
  bundle = BOOTSTRAP_BUNDLE,
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--require', guard, bundle, ...args], {
    env: { PATH: process.env['PATH'], ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out };
}

describe('the compiled bootstrap (dist/couch/bootstrap.js)', () => {
  test('bootstraps the server with demo users, with plain node and no TypeScript', async () => {
    const { code, out } = await runBundle({ COUCH_URL: server.adminUrl, FIELDBOOK_DEMO_PASSWORD: 'demo-password-1' }, ['--demo']);
    assert.equal(code, 0, out);
    assert.match(out, /^Bootstrapped, demo logins: alice, bob, sam, acme, ada\.$/m);

    const loaded = JSON.parse(readFileSync(join(dir, 'loaded.json'), 'utf8')) as string[];
    assert.deepEqual(
      loaded.filter((file) => /node_modules\/(typescript|tsx|esbuild)\//.test(file) || file.endsWith('.ts')),
      [],
    );
    assert.ok(loaded.includes(BOOTSTRAP_BUNDLE));

    // The design doc on a user's database is the built artefact.
    const admin = couchAdmin(server.adminUrl);
    const installed = (await admin.use(userDbName('alice')).get('_design/fieldbook')) as unknown as Record<string, unknown>;
    const { _rev, ...content } = installed;
    assert.ok(_rev);
    assert.deepEqual(content, JSON.parse(readFileSync(designArtefactFile('fieldbook'), 'utf8')));
    const login = await fetch(`${server.url}/_session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', password: 'demo-password-1' }),
    });
    assert.equal(login.status, 200);

    // Idempotent, as it runs on every container start.
    const again = await runBundle({ COUCH_URL: server.adminUrl }, []);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /^Bootstrapped\.$/m);
  });

  test('the compiled user CLI adds a user with their database and design doc, with plain node and no TypeScript', async () => {
    const added = await runBundle(
      { COUCH_URL: server.adminUrl, FIELDBOOK_PASSWORD: 'cli-password-1' },
      ['add', 'carol', '--role', 'inspector'],
      USER_CLI_BUNDLE,
    );
    assert.equal(added.code, 0, added.out);
    const loaded = JSON.parse(readFileSync(join(dir, 'loaded.json'), 'utf8')) as string[];
    assert.deepEqual(
      loaded.filter((file) => /node_modules\/(typescript|tsx|esbuild)\//.test(file) || file.endsWith('.ts')),
      [],
    );
    const installed = (await couchAdmin(server.adminUrl).use(userDbName('carol')).get('_design/fieldbook')) as unknown as Record<
      string,
      unknown
    >;
    assert.equal(installed['validate_doc_update'], JSON.parse(readFileSync(designArtefactFile('fieldbook'), 'utf8')).validate_doc_update);
    const listed = await runBundle({ COUCH_URL: server.adminUrl }, ['list'], USER_CLI_BUNDLE);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /carol/);
  });

  test('without COUCH_URL it says so and exits 1', async () => {
    const { code, out } = await runBundle({});
    assert.equal(code, 1);
    assert.match(out, /COUCH_URL \(with admin credentials\) is required/);
  });
});
