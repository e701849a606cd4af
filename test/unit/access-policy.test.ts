import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide, parsePath, type DbAccess } from '../../proxy/access-policy';

const own = 'userdb-616c696365';
const grants = new Map<string, DbAccess>([
  [own, 'readwrite'],
  ['partner-acme', 'read'],
]);
const check = (method: string, path: string, query = '') => decide(method, path, new URLSearchParams(query), grants);

describe('access policy', () => {
  const allowed: [string, string, string?][] = [
    ['GET', `/${own}`],
    ['HEAD', `/${own}/`],
    ['GET', `/${own}/_changes`, 'feed=continuous&heartbeat=10000&style=all_docs'],
    ['POST', `/${own}/_changes`, 'filter=_doc_ids'],
    ['POST', `/${own}/_bulk_docs`],
    ['POST', `/${own}/_bulk_get`, 'revs=true&latest=true'],
    ['POST', `/${own}/_revs_diff`],
    ['GET', `/${own}/_all_docs`],
    ['POST', `/${own}/_find`],
    ['GET', `/${own}/_index`],
    ['POST', `/${own}/_ensure_full_commit`],
    ['PUT', `/${own}/_local/abc123`],
    ['GET', `/${own}/inspection%3A1234`],
    ['PUT', `/${own}/defect%3A1/photo-1.jpg`],
    ['GET', `/${own}/_design/fieldbook`],
    ['GET', `/${own}/_design/fieldbook/_view/conflicts`],
    ['GET', '/partner-acme/_changes'],
    ['POST', '/partner-acme/_bulk_get'],
    ['PUT', '/partner-acme/_local/checkpoint'],
    ['POST', '/partner-acme/_ensure_full_commit'],
  ];
  for (const [method, path, query] of allowed) {
    test(`allows ${method} ${path}`, () => {
      const decision = check(method, path, query);
      assert.equal(decision.allow, true);
      // Every URL may end with "/"; CouchDB gets it without.
      if (decision.allow) assert.equal(decision.targetPath, path.replace(/\/$/, ''));
    });
  }

  test('sends CouchDB the path it decided on, each segment encoded afresh', () => {
    for (const [path, target] of [
      [`/${own}/%5Fchanges`, `/${own}/_changes`],
      [`/${own}/a+b`, `/${own}/a%2Bb`],
      [`/${own}/_design/fieldbook/_view/%63onflicts`, `/${own}/_design/fieldbook/_view/conflicts`],
      [`/${own}/defect%3A1/photos/a%20b.jpg`, `/${own}/defect%3A1/photos/a%20b.jpg`],
    ]) {
      const decision = check('GET', path);
      assert.equal(decision.allow && decision.targetPath, target, path);
    }
  });

  const denied: [string, string, number, string?][] = [
    ['GET', '/userdb-626f62', 403],
    ['GET', '/_all_dbs', 403],
    ['GET', '/_users/org.couchdb.user:bob', 403],
    ['POST', '/_replicate', 403],
    ['GET', '/_config', 403],
    ['POST', '/_session', 404],
    ['DELETE', `/${own}`, 403],
    ['PUT', `/${own}`, 403],
    ['PUT', `/${own}/_security`, 403],
    ['GET', `/${own}/_security`, 403],
    ['POST', `/${own}/_purge`, 403],
    ['POST', `/${own}/_compact`, 403],
    ['PUT', `/${own}/_design/fieldbook`, 403],
    ['DELETE', `/${own}/_design/fieldbook`, 403],
    ['GET', `/${own}/_changes`, 400, 'filter=fieldbook/mine'],
    ['GET', `/USERDB-616C696365`, 403],
    ['GET', `/${own}%2F..%2Fuserdb-626f62`, 403],
    ['GET', `/${own}/..`, 403],
    ['GET', `/${own}/%2e%2e/userdb-626f62`, 403],
    ['GET', `/${own}/%252e%252e`, 403],
    ['GET', `/${own}/_design%2Ffieldbook`, 403],
    ['GET', `/${own}\\..\\userdb-626f62`, 400],
    ['GET', `//${own}`, 403],
    ['GET', `/${own}/%E0%A4%A`, 400],
    // CouchDB cuts the path at "#": this DELETE reached it as the database's.
    ['DELETE', `/${own}/#`, 400],
    ['PUT', `/${own}/_local/#`, 400],
    ['GET', `/${own}/a b`, 400],
    ['GET', `/${own}/[x]`, 400],
    ['PUT', '/partner-acme/inspection%3A1', 403],
    ['POST', '/partner-acme/_bulk_docs', 403],
    // An index is written into a design document, the one `ddoc` names (ours too).
    ['POST', `/${own}/_index`, 403],
    // The server's own bookkeeping: a partner's copy stopped withdrawals from its database, an
    // inspector's made `npm run migrate` skip theirs.
    ['PUT', '/partner-acme/_local/fieldbook-partner-withdrawal', 403],
    ['DELETE', '/partner-acme/_local/fieldbook-partner-withdrawal', 403],
    ['PUT', `/${own}/_local/fieldbook-migration`, 403],
    ['PUT', `/${own}/_local/%66ieldbook-migration`, 403],
    ['GET', `/${own}/_local/fieldbook-hub-work`, 403],
  ];
  for (const [method, path, status, query] of denied) {
    test(`refuses ${method} ${path}${query ? '?' + query : ''} with ${status}`, () => {
      const decision = check(method, path, query);
      assert.equal(decision.allow, false);
      if (!decision.allow) {
        assert.equal(decision.status, status);
        assert.ok(decision.error && decision.reason);
      }
    });
  }

  test('asks for a body check where the body decides', () => {
    const rules = [
      ['/_bulk_get', 'bulk_get'],
      ['/_revs_diff', 'revs_diff'],
      ['/_find', 'query'],
      ['/_all_docs', 'keys'],
      ['/_changes', 'changes'],
      ['/_design/fieldbook/_view/conflicts', 'keys'],
      ['/_bulk_docs', undefined],
      ['', undefined],
    ] as const;
    for (const [path, rule] of rules) {
      const decision = check('POST', `/${own}${path}`);
      assert.equal(decision.allow && decision.bodyRule, rule ?? undefined, path);
    }
  });

  test('parsePath decodes segments once and keeps attachment paths', () => {
    assert.deepEqual(parsePath(`/${own}/defect%3A1/photos/a%20b.jpg`), [own, 'defect:1', 'photos', 'a b.jpg']);
    assert.deepEqual(parsePath('/'), []);
  });
});
