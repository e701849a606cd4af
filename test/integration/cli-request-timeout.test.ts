import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { buildDesignDocsIfStale } from '../../couch/design/build';
import { buildBootstrapIfStale } from '../../scripts/build-bootstrap';

/*
 * A server that passes every CLI's first check (couch/server-check.ts) and then takes a request
 * and never answers it, or stops halfway (an overloaded CouchDB, a load balancer whose backend
 * hung, a connection lost without a word): each CLI, compiled as the image ships it, gives up
 * on that request after FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS with one sentence naming the server
 * and the limit, instead of Node's fetch waiting 5 minutes.
 */
const ROOT = join(__dirname, '../..');
/** Each CLI with a command that gets it past the check to its own requests. */
const RUNS: [string, string[]][] = [
  ['user-cli', ['list']],
  ['conflicts-cli', ['list', 'alice']],
  ['migrate-cli', []],
  ['photos-cli', ['sweep', '--dry-run']],
  ['settings-cli', []],
];
const LIMIT_MS = 300;

before(async () => {
  buildDesignDocsIfStale();
  await buildBootstrapIfStale();
});
// Ends the CLI processes still running when this file ends, however it ends.
const fileEnded = new AbortController();
after(() => fileEnded.abort());

/** Where a server stops answering a request: before its headers, or once it has begun sending the body. */
type Stall = 'before the headers' | 'in the body';

/** Answers `GET /` and `GET /_session` as CouchDB 3.4 does to its server admin; stalls `stall` on every other request. */
async function hangingCouch(stall: Stall): Promise<{ server: Server; url: string; unanswered: string[] }> {
  const unanswered: string[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const json = (body: unknown) => response.setHeader('content-type', 'application/json').end(JSON.stringify(body));
    if (request.url === '/') json({ couchdb: 'Welcome', version: '3.4.2' });
    else if (request.url === '/_session') json({ ok: true, userCtx: { name: 'admin', roles: ['_admin'] } });
    else {
      unanswered.push(`${request.method} ${request.url}`);
      if (stall === 'in the body') response.writeHead(200, { 'content-type': 'application/json' }).write('{"');
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${port}`, unanswered };
}

async function runCli(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  try {
    await promisify(execFile)(process.execPath, [join(ROOT, 'dist/couch', `${name}.js`), ...args], {
      env: { PATH: process.env['PATH'], ...env },
      // A bound for the test only, far past the limit under test, far short of fetch's 5 minutes.
      timeout: 60_000,
      signal: fileEnded.signal,
      killSignal: 'SIGKILL',
    });
    return { code: 0, stderr: '' };
  } catch (error) {
    const { code, signal, stderr } = error as { code: number; signal: string | null; stderr: string };
    return { code: signal ? -1 : code, stderr: signal ? `killed (${signal}); stderr: ${stderr}` : stderr };
  }
}

describe('the server CLIs, when the server stops answering a request', () => {
  for (const stall of ['before the headers', 'in the body'] as const)
    test(`stalling ${stall}: each gives up after FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS, one sentence naming the server and the limit, exit code 1`, async () => {
      const { server, url, unanswered } = await hangingCouch(stall);
      try {
        const env = { COUCH_URL: url.replace('//', '//admin:secret@'), FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS: String(LIMIT_MS) };
        const results = await Promise.all(RUNS.map(async ([name, args]) => [name, await runCli(name, args, env)] as const));
        for (const [name, { code, stderr }] of results) {
          assert.equal(code, 1, `${name}: ${stderr}`);
          assert.equal(
            stderr,
            `CouchDB at ${url} did not answer within 0.3 s (FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS sets how long to wait).\n`,
            name,
          );
        }
        // Each got past the check: what went unanswered was a request of its own.
        assert.equal(unanswered.length, RUNS.length, unanswered.join(', '));
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
});
