import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MANGO_INDEXES, isListedIndex } from '../../domain/mango-indexes';

const [typeScheduled] = MANGO_INDEXES;

test('an index is listed when its design document and its name both match', () => {
  const listed = [
    { ddoc: null, name: '_all_docs' },
    { ddoc: '_design/idx-type-scheduled', name: 'type-scheduled' },
  ];
  assert.equal(isListedIndex(typeScheduled, listed), true);
});

test('the same name in another design document, or the design document bare, is not the index', () => {
  assert.equal(isListedIndex(typeScheduled, [{ ddoc: '_design/other', name: 'type-scheduled' }]), false);
  assert.equal(isListedIndex(typeScheduled, [{ ddoc: 'idx-type-scheduled', name: 'type-scheduled' }]), false);
  assert.equal(isListedIndex(typeScheduled, [{ ddoc: '_design/idx-type-scheduled', name: 'other' }]), false);
});
