import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { buildDesignDocsIfStale } from '../../couch/design/build';
import { buildBootstrapIfStale } from '../../scripts/build-bootstrap';
import { CLI_ARGS, runCompiledCli } from '../support/compiled-cli';

/*
 * A server that passes every CLI's first check (couch/server-check.ts) and then takes a request
 * and never answers it, or stops halfway (an overloaded CouchDB, a load balancer whose backend
 * hung, a connection lost without a word): each CLI, compiled as the image ships it, gives up
 * on that request after FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS with one sentence naming the server
 * and the limit, instead of Node's fetch waiting 5 minutes.
 */
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

describe('the server CLIs, when the server stops answering a request', () => {
  for (const stall of ['before the headers', 'in the body'] as const)
    test(`stalling ${stall}: each gives up after FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS, one sentence naming the server and the limit, exit code 1`, async () => {
      const { server, url, unanswered } = await hangingCouch(stall);
      try {
        const env = { COUCH_URL: url.replace('//', '//admin:secret@'), FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS: String(LIMIT_MS) };
        const results = await Promise.all(
          Object.keys(CLI_ARGS).map(async (name) => [name, await runCompiledCli(name, env, fileEnded.signal)] as const),
        );
        for (const [name, { code, stderr }] of results) {
          assert.equal(code, 1, `${name}: ${stderr}`);
          assert.equal(
            stderr,
            `CouchDB at ${url} did not answer within 0.3 s (FIELDBOOK_ADMIN_REQUEST_TIMEOUT_MS sets how long to wait).\n`,
            name,
          );
        }
        // Each got past the check: what went unanswered was a request of its own.
        assert.equal(unanswered.length, Object.keys(CLI_ARGS).length, unanswered.join(', '));
      } finally {
        server.closeAllConnections();
        server.close();
      }
    });
});
