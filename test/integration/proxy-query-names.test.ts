import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { userDbName } from '../../domain/user-db-name';
import { basicAuth, startTestStack, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { rawRequest } from '../support/raw-request';

/**
 * Query parameter names the proxy would judge as one name and a server read as another.
 * Measured on CouchDB 3.4.3: every `_changes` parameter is read in any letter case, the last of
 * `limit`/`LIMIT` winning (`LIMIT=abc`, `STYLE=bogus`, `TIMEOUT=abc` answered 500, `FILTER=` named
 * any design-doc filter). On PouchDB Server 4.2 (Express): `limit[]=1.5` is `limit`, and ended
 * its process; `doc_ids[a]=b` and `open_revs[a]=b` answered 500.
 */
const alice = userDbName('alice');
const ALICE = basicAuth('alice');
const doc = inspection('alice');
const docPath = `/db/${alice}/${encodeURIComponent(doc._id)}`;

let stack: TestStack;

before(async () => {
  stack = await startTestStack();
  await stack.admin.use(alice).insert(doc as never);
});
after(() => stack?.stop());

const get = (path: string) => rawRequest(stack.proxy.url, 'GET', path, { authorization: ALICE });

describe('query parameter names every server reads as written', () => {
  test('a name in capitals is 400: CouchDB reads it as the lower-case name the proxy checks', async () => {
    for (const [query, name] of [
      ['LIMIT=abc', 'LIMIT'],
      ['STYLE=bogus', 'STYLE'],
      ['TIMEOUT=abc', 'TIMEOUT'],
      ['limit=1&LIMIT=abc', 'LIMIT'],
      ['Filter=fieldbook/missing', 'Filter'],
      ['%46EED=longpoll&since=now&timeout=1000', 'FEED'],
    ]) {
      const response = await get(`/db/${alice}/_changes?${query}`);
      assert.equal(response.status, 400, `${query}: ${response.body}`);
      assert.deepEqual(JSON.parse(response.body), {
        error: 'bad_request',
        reason: `Write query parameter names in lower case: "${name}" is not.`,
      });
    }
  });

  test('"[" or "]" in a name is 400: PouchDB Server reads `limit[]=1.5` as `limit` (and ended its process)', async () => {
    for (const [path, name] of [
      [`/db/${alice}/_changes?limit[]=1.5`, 'limit[]'],
      [`/db/${alice}/_changes?limit%5B%5D=1.5`, 'limit[]'],
      [`/db/${alice}/_changes?filter=_doc_ids&doc_ids[a]=b`, 'doc_ids[a]'],
      [`/db/${alice}/_all_docs?include_docs=true&keys[]=_local%2Ffieldbook-x`, 'keys[]'],
      [`${docPath}?open_revs[a]=b`, 'open_revs[a]'],
    ]) {
      const response = await get(path);
      assert.equal(response.status, 400, `${path}: ${response.body}`);
      assert.deepEqual(JSON.parse(response.body), {
        error: 'bad_request',
        reason: `Query parameter names cannot contain "[" or "]": "${name}" does.`,
      });
    }
  });

  test('lower-case names pass, also percent-encoded, as every server decodes them', async () => {
    const changes = await get(`/db/${alice}/_changes?%6Cimit=1&style=all_docs`);
    assert.equal(changes.status, 200, changes.body);
    assert.equal((JSON.parse(changes.body) as { results: unknown[] }).results.length, 1);
    const read = await get(`${docPath}?revs=true`);
    assert.equal(read.status, 200, read.body);
    assert.equal((JSON.parse(read.body) as { _id: string })._id, doc._id);
  });
});
