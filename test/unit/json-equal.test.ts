import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonEqual } from '../../domain/conflicts/json-equal';

test('jsonEqual compares structure, not key order, and treats undefined members as absent', () => {
  assert.equal(jsonEqual({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 }), true);
  assert.equal(jsonEqual({ a: 1, gone: undefined }, { a: 1 }), true);
  assert.equal(jsonEqual({ a: 1 }, { a: 1, b: 2 }), false);
  assert.equal(jsonEqual([1, 2], [2, 1]), false);
  assert.equal(jsonEqual([], {}), false);
  assert.equal(jsonEqual(null, {}), false);
  assert.equal(jsonEqual('1', 1), false);
  assert.equal(jsonEqual(undefined, undefined), true);
});
