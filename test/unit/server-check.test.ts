import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { askServer, serverProblem, usableAdminUrl } from '../../couch/server-check';
import { freePort } from '../support/free-port';

const URL = 'http://admin:secret@127.0.0.1:5984';
const COUCH_3 = { couchdb: 'Welcome', version: '3.4.3' };
const ADMIN = { status: 200, roles: ['_admin'] };

describe('serverProblem', () => {
  test('none for CouchDB 3 or PouchDB Server with a server admin', () => {
    assert.equal(serverProblem(URL, { root: COUCH_3, session: ADMIN }), null);
    assert.equal(serverProblem(URL, { root: { 'express-pouchdb': 'Welcome!', version: '4.2.0' }, session: ADMIN }), null);
  });

  test('one sentence for each way COUCH_URL can be wrong, never with the password', () => {
    const cases: [Parameters<typeof serverProblem>[1], RegExp][] = [
      [{ unreachable: 'connection refused' }, /^Cannot reach CouchDB at http:\/\/127\.0\.0\.1:5984 \(connection refused\)/],
      [{ root: { couchdb: 'Welcome', version: '2.3.1' }, session: ADMIN }, /runs CouchDB 2\.3\.1; Fieldbook needs CouchDB 3 or later\.$/],
      [{ root: { ok: true } as never, session: ADMIN }, /does not answer like CouchDB/],
      [{ root: COUCH_3, session: { status: 401 } }, /refused the user name or password in COUCH_URL \("admin"\)\.$/],
      [{ root: COUCH_3, session: { status: 200, roles: ['inspector'] } }, /"admin" \(from COUCH_URL\) is not a CouchDB server admin/],
    ];
    for (const [answers, expected] of cases) {
      const problem = serverProblem(URL, answers)!;
      assert.match(problem, expected);
      assert.ok(!problem.includes('secret') && !problem.includes('\n'), problem);
    }
  });

  test('a URL without credentials is named as such', () => {
    assert.match(serverProblem('http://127.0.0.1:5984', { root: COUCH_3 })!, /carries no user name and password/);
  });
});

describe('usableAdminUrl, which every CLI runs first', () => {
  const fromCouchUrl = (env: NodeJS.ProcessEnv) => env['COUCH_URL']!;

  test('the admin URL of a server Fieldbook can use', async () => {
    const ask = async () => ({ root: COUCH_3, session: ADMIN });
    assert.equal(await usableAdminUrl({ COUCH_URL: URL }, fromCouchUrl, ask), URL);
  });

  test('a server that takes connections and never answers: one sentence within the bound, not a wait of minutes', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)).listen(0, '127.0.0.1');
    await once(silent, 'listening');
    try {
      const couchUrl = `http://admin:secret@127.0.0.1:${(silent.address() as { port: number }).port}`;
      await assert.rejects(
        usableAdminUrl({ COUCH_URL: couchUrl }, fromCouchUrl, (url) => askServer(url, 200)),
        /^Error: Cannot reach CouchDB at http:\/\/127\.0\.0\.1:\d+ \(no answer within 0\.2 s\)/,
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  test('without COUCH_URL, an embedded server that is not running is named as such', async () => {
    const embedded = `http://couchdb-admin:secret@127.0.0.1:${await freePort()}`;
    await assert.rejects(
      usableAdminUrl({}, () => embedded),
      /^Error: The embedded server at http:\/\/127\.0\.0\.1:\d+ is not running \(connection refused\): start it with "npm start", or set COUCH_URL\.$/,
    );
  });

  test("any other problem is serverProblem's sentence", async () => {
    const ask = async () => ({ root: COUCH_3, session: { status: 401 } });
    await assert.rejects(usableAdminUrl({ COUCH_URL: URL }, fromCouchUrl, ask), /refused the user name or password in COUCH_URL/);
  });
});
