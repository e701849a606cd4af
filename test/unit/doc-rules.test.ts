import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { docViolations } from '../../domain/doc-rules';
import { defect, inspection } from '../fixtures/documents';

const alice = { name: 'alice', roles: ['inspector'] };
const sam = { name: 'sam', roles: ['supervisor'] };
const now = '2026-11-23T10:00:00.000Z';

export function validInspection(overrides: Record<string, unknown> = {}) {
  return inspection('alice', { _id: 'inspection:0f8fad5b-d9cb-469f-a165-70867728950e', createdAt: now, updatedAt: now, deviceId: 'device-1', ...overrides });
}

function validDefect(overrides: Record<string, unknown> = {}) {
  return defect('alice', 'inspection:0f8fad5b-d9cb-469f-a165-70867728950e', {
    _id: 'defect:7c9e6679-7425-40de-944b-e07fc1f90ae7',
    description: 'Dripping',
    location: 'North wall',
    createdAt: now,
    updatedAt: now,
    deviceId: 'device-1',
    ...overrides,
  });
}

describe('document rules', () => {
  test('accept valid inspections and defects', () => {
    assert.deepEqual(docViolations(validInspection(), null, alice), []);
    assert.deepEqual(docViolations(validDefect({ _attachments: { 'p.jpg': { content_type: 'image/jpeg' } } }), null, alice), []);
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['unknown type', validInspection({ type: 'memo' }), 'type: must be inspection or defect'],
    ['empty title', validInspection({ title: '  ' }), 'title: is required'],
    ['long title', validInspection({ title: 'x'.repeat(201) }), 'title: must be at most 200 characters'],
    ['title of the wrong type', validInspection({ title: 42 }), 'title: must be a string'],
    ['status outside the enum', validInspection({ status: 'done' }), 'status: must be one of draft, submitted, approved, rejected'],
    ['bad scheduledFor', validInspection({ scheduledFor: '24/11/2026' }), 'scheduledFor: must be a date (YYYY-MM-DD)'],
    ['impossible date', validInspection({ scheduledFor: '2026-13-45' }), 'scheduledFor: must be a date (YYYY-MM-DD)'],
    ['createdAt not ISO', validInspection({ createdAt: 'yesterday' }), 'createdAt: must be an ISO 8601 date-time'],
    ['createdBy someone else', validInspection({ createdBy: 'bob' }), 'createdBy: must be your own user name'],
    ['updatedBy someone else', validInspection({ updatedBy: 'bob' }), 'updatedBy: must be your own user name'],
    ['bad id', validInspection({ _id: 'inspection:1' }), '_id: must be "inspection:<uuid>"'],
    ['checklist not a list', validInspection({ checklist: {} }), 'checklist: must be a list'],
    ['checklist result', validInspection({ checklist: [{ id: 'a', label: 'A', result: 'ok' }] }), 'checklist[0].result: must be one of pass, fail, na or empty'],
    ['duplicate checklist id', validInspection({ checklist: [{ id: 'a', label: 'A', result: null }, { id: 'a', label: 'B', result: null }] }), 'checklist[1].id: must be unique'],
    ['inspector approves', validInspection({ status: 'approved' }), 'status: only a supervisor may approve or reject'],
    ['severity out of range', validDefect({ severity: 6 }), 'severity: must be a whole number from 1 to 5'],
    ['defect status', validDefect({ status: 'closed' }), 'status: must be one of open, fixed, wont_fix'],
    ['defect without inspection', validDefect({ inspectionId: 'x' }), 'inspectionId: must be the id of an inspection'],
    ['attachment type', validDefect({ _attachments: { 'a.pdf': { content_type: 'application/pdf' } } }), '_attachments: a.pdf must be a JPEG, PNG or WebP image'],
  ];
  for (const [name, doc, message] of cases) {
    test(`reject ${name}`, () => assert.ok(docViolations(doc as never, null, alice).includes(message), docViolations(doc as never, null, alice).join('; ')));
  }

  test('createdBy cannot change later', () => {
    const old = validInspection();
    assert.ok(docViolations(validInspection({ createdBy: 'bob' }), old, alice).includes('createdBy: cannot be changed'));
  });

  test('approved inspections are locked for inspectors, open to supervisors', () => {
    const approved = validInspection({ status: 'approved', updatedBy: 'sam' });
    const edit = validInspection({ status: 'approved', title: 'Changed' });
    assert.ok(docViolations(edit, approved, alice).includes('status: an approved inspection can only be changed by a supervisor'));
    assert.deepEqual(docViolations({ ...edit, updatedBy: 'sam' }, approved, sam), []);
    assert.ok(docViolations({ _id: edit._id, _deleted: true }, approved, alice).length > 0);
  });

  test('deletion is allowed to the owner only', () => {
    const old = validInspection();
    assert.deepEqual(docViolations({ _id: old._id, _deleted: true }, old, alice), []);
    assert.ok(docViolations({ _id: old._id, _deleted: true }, old, { name: 'bob', roles: ['inspector'] }).includes('createdBy: only the owner may delete this document'));
  });

  test('only supervisors share with partners, on inspections and defects alike', () => {
    const shared = validInspection({ status: 'approved', partners: ['acme'], updatedBy: 'sam' });
    assert.deepEqual(docViolations(shared, validInspection({ status: 'submitted' }), sam), []);
    assert.ok(docViolations(validInspection({ partners: ['acme'] }), null, alice).includes('partners: only a supervisor may share with partners'));
    assert.ok(docViolations(validDefect({ partners: ['acme'] }), validDefect(), alice).includes('partners: only a supervisor may share with partners'));
    assert.deepEqual(docViolations(validDefect({ partners: ['acme'], updatedBy: 'sam' }), validDefect(), sam), []);
    // An inspector's later edit of a shared defect keeps the field as it is.
    assert.deepEqual(docViolations(validDefect({ partners: ['acme'], status: 'fixed' }), validDefect({ partners: ['acme'] }), alice), []);
    assert.ok(docViolations(validDefect({ partners: 'acme' }), null, sam).includes('partners: must be a list of partner names'));
    assert.ok(docViolations(validInspection({ partners: ['acme', ''] }), null, sam).includes('partners: must be a list of partner names'));
  });

  test('only supervisors assign inspections; an inspector may take their own', () => {
    assert.deepEqual(docViolations(validInspection({ assignedTo: 'alice' }), null, alice), []);
    assert.ok(docViolations(validInspection({ assignedTo: 'bob' }), null, alice).includes('assignedTo: only a supervisor may assign inspections'));
    const assigned = validInspection({ createdBy: 'sam', assignedTo: 'alice' });
    assert.deepEqual(docViolations({ ...assigned, title: 'Started' }, assigned, alice), []);
    assert.ok(docViolations({ ...assigned, assignedTo: 'bob' }, assigned, alice).includes('assignedTo: only a supervisor may assign inspections'));
    assert.deepEqual(docViolations(validInspection({ createdBy: 'sam', updatedBy: 'sam', assignedTo: 'bob' }), null, sam), []);
  });

  test('server admins (replication) may write other users\' documents', () => {
    assert.deepEqual(docViolations(validInspection({ createdBy: 'bob', updatedBy: 'bob' }), null, { name: null, roles: ['_admin'] }), []);
  });
});
