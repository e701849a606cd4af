import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decide, parsePath, type DbAccess } from '../../proxy/access-policy';

const own = 'userdb-616c696365';
const grants = new Map<string, DbAccess>([
  [own, 'readwrite'],
  ['inspections', 'readwrite'],
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
    ['PUT', `/${own}/_local/a1b2c3d4e5f60718293a4b5c6d7e8f90`],
    ['GET', `/${own}/inspection%3A1234`],
    ['PUT', `/${own}/defect%3A1/photo-1.jpg`],
    ['GET', `/${own}/_design/fieldbook`],
    ['GET', `/${own}/_design/fieldbook/_view/conflicts`],
    ['GET', `/${own}/_changes`, 'feed=longpoll&limit=0&timeout=0&heartbeat=true&style=main_only&since=now'],
    ['GET', `/${own}/_changes`, 'filter=_view&view=fieldbook/conflicts'],
    ['GET', `/${own}/_changes`, 'filter=_doc_ids&doc_ids=%5B%22inspection%3A1%22%5D'],
    ['GET', `/${own}/_all_docs`, 'keys=%5B%22inspection%3A1%22%5D&include_docs=true'],
    ['GET', `/${own}/inspection%3A1`, 'open_revs=all&latest=true'],
    ['GET', `/${own}/inspection%3A1`, 'open_revs=%5B%221-a%22%2C%222-b%22%5D'],
    ['GET', '/partner-acme/_changes'],
    ['POST', '/partner-acme/_bulk_get'],
    ['PUT', '/partner-acme/_local/0123456789abcdef0123456789abcdef'],
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
    // PouchDB Server's copy of the database's `_security`: written, it made its member the database's admin.
    ['PUT', `/${own}/_local/_security`, 403],
    ['DELETE', '/partner-acme/_local/_security', 403],
    ['GET', `/${own}/_local/%5Fsecurity`, 403],
    // PouchDB Server deletes the databases these list when this one is deleted or its views cleaned.
    ['PUT', `/${own}/_local/_pouch_dependentDbs`, 403],
    ['PUT', '/partner-acme/_local/mrviews', 403],
    ['PUT', `/${own}/_local/a-name-of-her-own`, 403],
    // PouchDB Server reads these instead of the body that was checked.
    ['PUT', `/${own}/inspection%3A1`, 400, 'id=_local%2Ffieldbook-migration'],
    ['PUT', `/${own}/_local/a1b2c3d4e5f60718293a4b5c6d7e8f90`, 400, 'id=_local%2Ffieldbook-migration'],
    ['POST', `/${own}/_bulk_get`, 400, 'docs=%5B%5D'],
    // Query parameters CouchDB failed on (500, or a dropped connection), PouchDB Server crashed on or ignored.
    ['GET', `/${own}/_changes`, 400, 'limit=abc'],
    ['GET', `/${own}/_changes`, 400, 'limit=1.5'],
    ['GET', `/${own}/_changes`, 400, 'feed=longpoll&timeout=abc'],
    ['GET', `/${own}/_changes`, 400, 'feed=longpoll&timeout=-1'],
    ['GET', `/${own}/_changes`, 400, 'style=abc'],
    ['GET', `/${own}/_changes`, 400, 'feed=longpoll&heartbeat=abc'],
    ['GET', `/${own}/_changes`, 400, 'feed=longpoll&heartbeat=0'],
    ['GET', `/${own}/_changes`, 400, 'filter=_view&view=fieldbook'],
    ['GET', `/${own}/_changes`, 400, 'filter=_view&view=a/b/c'],
    ['GET', `/${own}/_changes`, 400, 'filter=_doc_ids&doc_ids=%7B%7D'],
    ['GET', `/${own}/_changes`, 400, 'doc_ids=%5B5%5D'],
    ['POST', `/${own}/_changes`, 400, 'filter=_doc_ids&doc_ids=notjson'],
    ['GET', `/${own}/_all_docs`, 400, 'keys=notjson'],
    ['GET', `/${own}/inspection%3A1`, 400, 'open_revs=garbage'],
    ['GET', `/${own}/inspection%3A1`, 400, 'open_revs=%7B%7D'],
    ['GET', `/${own}/inspection%3A1`, 400, 'open_revs=%22all%22'],
    ['HEAD', `/${own}/_design/fieldbook`, 400, 'open_revs=5'],
    ['GET', `/${own}/_local/a1b2c3d4e5f60718293a4b5c6d7e8f90`, 400, 'open_revs=garbage'],
    // `_local` docs named in a query: CouchDB's `_all_docs` returns them.
    ['GET', `/${own}/_all_docs`, 403, 'keys=%5B%22_local%2Ffieldbook-migration%22%5D&include_docs=true'],
    ['POST', `/${own}/_changes`, 403, 'filter=_doc_ids&doc_ids=%5B%22_local%2Fx%22%5D'],
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
      ['POST', `/${own}/_bulk_get`, 'bulk_get'],
      ['POST', `/${own}/_revs_diff`, 'revs_diff'],
      ['POST', `/${own}/_find`, 'query'],
      ['POST', `/${own}/_all_docs`, 'all_docs'],
      ['POST', `/${own}/_changes`, 'changes'],
      ['POST', `/${own}/_design/fieldbook/_view/conflicts`, 'keys'],
      ['POST', `/${own}`, 'doc'],
      ['POST', '/inspections/_bulk_docs', 'bulk_docs'],
      // A tablet's push, its photos inline: more than the proxy reads to check.
      ['POST', `/${own}/_bulk_docs`, undefined],
      ['PUT', `/${own}/inspection%3A1`, { put: 'inspection:1' }],
      ['PUT', `/${own}/_local/a1b2c3d4e5f60718293a4b5c6d7e8f90`, { checkpoint: '_local/a1b2c3d4e5f60718293a4b5c6d7e8f90' }],
      ['PUT', '/partner-acme/_local/0123456789abcdef0123456789abcdef', { checkpoint: '_local/0123456789abcdef0123456789abcdef' }],
      ['PUT', `/${own}/defect%3A1/photo-1.jpg`, undefined],
      ['GET', `/${own}/inspection%3A1`, undefined],
    ] as const;
    for (const [method, path, rule] of rules) {
      const decision = check(method, path);
      assert.deepEqual(decision.allow && decision.bodyRule, rule, `${method} ${path}`);
    }
  });

  test('parsePath decodes segments once and keeps attachment paths', () => {
    assert.deepEqual(parsePath(`/${own}/defect%3A1/photos/a%20b.jpg`), [own, 'defect:1', 'photos', 'a b.jpg']);
    assert.deepEqual(parsePath('/'), []);
  });
});
