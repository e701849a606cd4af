import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mergeLeaves } from '../../domain/conflicts/three-way-merge';
import { docViolations } from '../../domain/doc-rules';
import { editOf, inspection, rootRevision } from '../fixtures/documents';

const alice = { name: 'alice', roles: ['inspector'] };
const now = '2026-11-23T10:00:00.000Z';

function validInspection(overrides: Record<string, unknown> = {}) {
  return inspection('alice', {
    _id: 'inspection:0f8fad5b-d9cb-469f-a165-70867728950e',
    createdAt: now,
    updatedAt: now,
    deviceId: 'device-1',
    ...overrides,
  });
}

describe("the device's name in the audit stamp", () => {
  test('the rules accept a change with or without a device name, and refuse an empty or non-text one', () => {
    assert.deepEqual(docViolations(validInspection({ deviceName: 'Tablet 3' }), null, alice), []);
    assert.deepEqual(docViolations(validInspection(), null, alice), []);
    assert.deepEqual(docViolations(validInspection({ deviceName: ' ' }), null, alice), ['deviceName: is required']);
    assert.deepEqual(docViolations(validInspection({ deviceName: 3 }), null, alice), ['deviceName: must be a string']);
    assert.deepEqual(docViolations(validInspection({ deviceName: 'x'.repeat(201) }), null, alice), [
      'deviceName: must be at most 200 characters',
    ]);
  });

  test('a merge takes it from the latest change, like the device id, and never asks about it', () => {
    const root = rootRevision();
    const earlier = editOf(root, 'bbb', {
      title: 'Ours',
      updatedAt: '2026-03-01T09:00:00.000Z',
      deviceId: 'device-a',
      deviceName: 'Tablet 1',
    });
    const later = editOf(root, 'ccc', {
      site: 'Theirs',
      updatedAt: '2026-03-01T10:00:00.000Z',
      deviceId: 'device-b',
      deviceName: 'Tablet 2',
    });
    const merge = mergeLeaves([later, earlier], root);
    assert.deepEqual(merge.conflicts, []);
    assert.equal(merge.merged?.['deviceName'], 'Tablet 2');
    assert.equal(merge.merged?.['deviceId'], 'device-b');
  });
});
