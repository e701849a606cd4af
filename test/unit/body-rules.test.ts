import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkBody, type BodyRule } from '../../proxy/body-rules';

describe('body rules', () => {
  const accepted: [BodyRule, unknown][] = [
    ['bulk_get', { docs: [{ id: 'a' }, { id: 'b', rev: '1-x', atts_since: [] }] }],
    ['bulk_get', { docs: [] }],
    ['revs_diff', { a: ['1-x', '2-y'] }],
    ['query', { selector: { type: 'inspection' }, fields: ['_id'] }],
    ['keys', {}],
    ['keys', { keys: ['a'] }],
    ['changes', { doc_ids: ['a'] }],
    ['changes', { selector: { type: 'defect' } }],
  ];
  for (const [rule, body] of accepted) test(`${rule} accepts ${JSON.stringify(body)}`, () => assert.equal(checkBody(rule, body), null));

  const refused: [BodyRule, unknown][] = [
    ['bulk_get', { docs: 'x' }],
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
  ];
  for (const [rule, body] of refused) {
    test(`${rule} refuses ${JSON.stringify(body)} with 400`, () => {
      const refusal = checkBody(rule, body);
      assert.equal(refusal?.status, 400);
      assert.equal(refusal?.error, 'bad_request');
      assert.ok(refusal?.reason);
    });
  }
});
