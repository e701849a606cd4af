import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bodyLimit, checkBody, CHECKPOINT_MAX_BYTES, type BodyRule } from '../../proxy/body-rules';

const named = (rule: BodyRule) => (typeof rule === 'string' ? rule : `PUT ${'put' in rule ? rule.put : rule.checkpoint}`);

describe('body rules', () => {
  const accepted: [BodyRule, unknown][] = [
    ['bulk_get', { docs: [{ id: 'a' }, { id: 'b', rev: '1-x', atts_since: [] }] }],
    ['revs_diff', { a: ['1-x', '2-y'] }],
    ['query', { selector: { type: 'inspection' }, fields: ['_id'] }],
    ['keys', {}],
    ['keys', { keys: ['a'] }],
    ['changes', { doc_ids: ['a'] }],
    ['changes', { selector: { type: 'defect' } }],
    ['all_docs', {}],
    ['all_docs', { keys: ['inspection:1', '_design/fieldbook'] }],
    ['doc', { type: 'inspection' }],
    ['doc', { _id: 'inspection:1', type: 'inspection' }],
    ['bulk_docs', { docs: [] }],
    ['bulk_docs', { docs: [{ _id: 'a' }, { _id: 'b', _rev: '1-x', _attachments: { full: { data: 'AA==' } } }, {}], new_edits: false }],
    ['bulk_docs', { docs: [{ _id: '_design/x' }], new_edits: true }],
    [{ put: 'inspection:1' }, { type: 'inspection' }],
    [{ put: 'inspection:1' }, { _id: 'inspection:1' }],
    [{ checkpoint: '_local/abc' }, { _id: '_local/abc', last_seq: 5 }],
    [{ checkpoint: '_local/abc' }, { history: [] }],
  ];
  for (const [rule, body] of accepted)
    test(`${named(rule)} accepts ${JSON.stringify(body)}`, () => assert.equal(checkBody(rule, body), null));

  const refused: [BodyRule, unknown][] = [
    ['bulk_get', { docs: 'x' }],
    // PouchDB Server never answers an empty one (CouchDB: no results): the client waited out the proxy's 504.
    ['bulk_get', { docs: [] }],
    ['bulk_get', { docs: [{ rev: '1-x' }] }],
    ['bulk_get', { docs: [{ id: 'a', rev: 3 }] }],
    ['bulk_get', [1]],
    ['bulk_get', null],
    ['revs_diff', { a: 'x' }],
    ['revs_diff', { a: [1] }],
    ['query', {}],
    ['query', { selector: [] }],
    ['keys', { keys: 'a' }],
    ['changes', { doc_ids: 'a' }],
    ['changes', { selector: 'x' }],
    ['all_docs', { keys: 'a' }],
    ['all_docs', { keys: [{ a: 1 }] }],
    ['doc', [1]],
    ['doc', { _id: 5 }],
    ['doc', { _id: '' }],
    ['doc', { _id: null }],
    ['bulk_docs', {}],
    ['bulk_docs', { docs: 5 }],
    ['bulk_docs', { docs: [5, null, 'x'] }],
    ['bulk_docs', { docs: [{ _id: 'a' }, null] }],
    ['bulk_docs', { docs: [{ _id: 5 }] }],
    ['bulk_docs', { docs: [], new_edits: 'abc' }],
    ['bulk_docs', { docs: [], new_edits: null }],
    // PouchDB Server writes a PUT's body `_id`, CouchDB the path's.
    [{ put: 'inspection:1' }, { _id: 'inspection:2' }],
    [{ put: 'inspection:1' }, { _id: 5 }],
    [{ checkpoint: '_local/abc' }, { _id: '_local/fieldbook-migration' }],
  ];
  for (const [rule, body] of refused) {
    test(`${named(rule)} refuses ${JSON.stringify(body)} with 400`, () => {
      const refusal = checkBody(rule, body);
      assert.equal(refusal?.status, 400);
      assert.equal(refusal?.error, 'bad_request');
      assert.ok(refusal?.reason);
    });
  }

  // `_local` docs are reached by their path, where the server's own are kept from callers.
  const forbidden: [BodyRule, unknown][] = [
    ['doc', { _id: '_local/fieldbook-x' }],
    ['bulk_docs', { docs: [{ _id: 'inspection:1' }, { _id: '_local/fieldbook-hub-work', seq: 'x' }] }],
    ['bulk_docs', { docs: [{ _id: '_local/fieldbook-migration', done: true }], new_edits: false }],
    ['bulk_get', { docs: [{ id: 'a' }, { id: '_local/fieldbook-migration' }] }],
    ['all_docs', { keys: ['_local/fieldbook-migration'] }],
    ['changes', { doc_ids: ['_local/x'] }],
  ];
  for (const [rule, body] of forbidden) {
    test(`${rule} refuses ${JSON.stringify(body)} with 403`, () => {
      const refusal = checkBody(rule, body);
      assert.equal(refusal?.status, 403);
      assert.equal(refusal?.error, 'forbidden');
    });
  }

  test('a checkpoint is read up to CHECKPOINT_MAX_BYTES, every other checked body up to the limit of the proxy', () => {
    const checkedMax = 16 * 1024 * 1024;
    assert.equal(bodyLimit({ checkpoint: '_local/abc' }, checkedMax), CHECKPOINT_MAX_BYTES);
    assert.ok(CHECKPOINT_MAX_BYTES < checkedMax, 'a checkpoint is held to less than a document');
    for (const rule of ['doc', 'bulk_docs', { put: 'inspection:1' }] as BodyRule[])
      assert.equal(bodyLimit(rule, checkedMax), checkedMax, named(rule));
  });
});
