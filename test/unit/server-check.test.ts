import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serverProblem } from '../../couch/server-check';

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
