import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AUDIT_TEXT_MAX, auditDiff } from '../../domain/audit-diff';
import { AUDIT_CHANGES_MAX, auditEntry, auditIdRange, auditedDocId, isAuditId, type AuditedWrite } from '../../domain/audit-entry';
import { docViolations } from '../../domain/doc-rules';
import { inspection } from '../fixtures/documents';
import { cutText } from '../../domain/text-cut';

const alice = { name: 'alice', roles: ['inspector'] };
const admin = { name: 'root', roles: ['_admin'] };
const stamp = { updatedBy: 'alice', updatedAt: '2026-12-02T10:00:00.000Z', deviceId: 'device-1', deviceName: 'Tablet 3' };

/** The record with some fields changed, as a save writes it. */
function edited<T extends object>(record: T, fields: Record<string, unknown>): T {
  return { ...record, ...fields };
}

function validInspection(overrides: Record<string, unknown> = {}): AuditedWrite['after'] & Record<string, unknown> {
  const at = '2026-11-23T10:00:00.000Z';
  return inspection('alice', {
    _id: 'inspection:0f8fad5b-d9cb-469f-a165-70867728950e',
    createdAt: at,
    updatedAt: at,
    deviceId: 'device-1',
    ...overrides,
  });
}

function item(id: string, label: string, result: string | null = null) {
  return { id, label, result };
}

describe('audit diff', () => {
  test('lists the changed fields, checklist items by id with their label, and leaves out the audit stamp', () => {
    const before = validInspection({ _rev: '2-a', notes: 'old', checklist: [item('a', 'Exits clear'), item('b', 'Extinguishers')] });
    const after = {
      ...before,
      title: 'Roof check',
      notes: undefined,
      updatedAt: '2026-12-02T10:00:00.000Z',
      deviceName: 'Tablet 3',
      checklist: [item('b', 'Extinguishers', 'fail'), item('c', 'Panels closed')],
    };
    assert.deepEqual(auditDiff(before, after), [
      { path: 'title', before: before['title'] as string, after: 'Roof check' },
      { path: 'checklist[0].result', item: 'Extinguishers', before: null, after: 'fail' },
      { path: 'checklist[1]', after: 'Panels closed' },
      { path: 'checklist[0]', before: 'Exits clear' },
      { path: 'notes', before: 'old' },
    ]);
  });

  test('cuts long text, names photos (never their data) and leaves thumbnails out', () => {
    const long = 'x'.repeat(500);
    const photo = { content_type: 'image/jpeg', digest: 'md5-a', stub: true };
    const before = { description: 'short', _attachments: { 'photo-1.jpg': photo, 'thumb-1.jpg': photo } };
    const after = {
      description: long,
      _attachments: {
        'photo-2.jpg': { content_type: 'image/jpeg', data: long },
        'thumb-2.jpg': { content_type: 'image/jpeg', data: long },
      },
    };
    const changes = auditDiff(before, after);
    assert.deepEqual(changes, [
      { path: 'description', before: 'short', after: `${'x'.repeat(AUDIT_TEXT_MAX - 1)}…` },
      { path: 'photos', before: 'photo-1.jpg' },
      { path: 'photos', after: 'photo-2.jpg' },
    ]);
  });

  test('never cuts through a character made of two UTF-16 units, which CouchDB would refuse with the whole push', () => {
    const text = `${'x'.repeat(AUDIT_TEXT_MAX - 2)}🔥 and more`;
    const [change] = auditDiff({ description: 'short' }, { description: text });
    assert.equal(change.after, `${'x'.repeat(AUDIT_TEXT_MAX - 2)}…`);
    assert.doesNotMatch(change.after!, /[\ud800-\udfff]/);
    assert.equal(cutText('ab🔥', 3), 'ab');
    assert.equal(cutText('ab🔥', 4), 'ab🔥');
    assert.equal(cutText('abc', 2), 'ab');
  });

  test('names a photo whose full size is a photo document by its thumbnail', () => {
    const thumb = { content_type: 'image/jpeg', digest: 'md5-t', stub: true };
    const changes = auditDiff({ _attachments: { 'thumb-1.jpg': thumb } }, { _attachments: { 'thumb-2.jpg': thumb } });
    assert.deepEqual(changes, [
      { path: 'photos', before: 'photo-1.jpg' },
      { path: 'photos', after: 'photo-2.jpg' },
    ]);
  });

  test('a new record lists what it was created with; an unchanged one nothing', () => {
    const doc = validInspection({ checklist: [item('a', 'Exits clear')] });
    assert.deepEqual(
      auditDiff(null, doc).map((change) => change.path),
      ['title', 'site', 'status', 'scheduledFor', 'checklist[0]'],
    );
    assert.deepEqual(auditDiff(doc, { ...doc, updatedAt: stamp.updatedAt }), []);
  });
});

describe('audit entry', () => {
  const record = validInspection({ _rev: '3-abc' });

  test('names the record, the revision it was made on, who, when and where; its id sorts by record, then time', () => {
    const entry = auditEntry({ before: record, after: edited(record, { title: 'New' }), stamp }, 'r1');
    assert.equal(entry._id, `audit:${record._id}:${stamp.updatedAt}:device-1:r1`);
    assert.deepEqual(
      { ...entry, _id: undefined },
      {
        _id: undefined,
        type: 'audit',
        docId: record._id,
        docType: 'inspection',
        action: 'update',
        baseRev: '3-abc',
        revPos: 4,
        user: 'alice',
        at: stamp.updatedAt,
        deviceId: 'device-1',
        deviceName: 'Tablet 3',
        changes: [{ path: 'title', before: record['title'] as string, after: 'New' }],
      },
    );
    const range = auditIdRange(record._id as string);
    assert.ok(entry._id > range.startkey && entry._id < range.endkey);
    assert.ok(isAuditId(entry._id) && !isAuditId(record._id as string));
    assert.equal(auditedDocId(entry._id), record._id);
    assert.equal(auditedDocId(record._id as string), null);
  });

  test('a save of a record in an older shape lists what the user changed, not what its migration adds', () => {
    const older = validInspection({ _rev: '3-abc' });
    assert.equal(older['priority'], undefined);
    const saved = { ...edited(older, { title: 'New' }), schema: 2, priority: 'normal' };
    assert.deepEqual(auditEntry({ before: older, after: saved, stamp }, 'r').changes, [
      { path: 'title', before: older['title'] as string, after: 'New' },
    ]);
    const migrated = edited(older, { schema: 2, priority: 'normal' });
    assert.deepEqual(auditEntry({ before: older, after: migrated, stamp }, 'r').changes, []);
  });

  test('a creation, a deletion, a merge', () => {
    const { _rev, ...created } = record;
    assert.equal(auditEntry({ before: null, after: created, stamp }, 'r').action, 'create');
    assert.equal(auditEntry({ before: null, after: created, stamp }, 'r').revPos, 1);
    const deleted = auditEntry({ before: record, after: { _id: record._id as string, _rev: '3-abc', _deleted: true }, stamp }, 'r');
    assert.deepEqual([deleted.action, deleted.docType, deleted.changes], ['delete', 'inspection', []]);
    assert.equal(auditEntry({ before: record, after: edited(record, { site: 'B' }), stamp, merge: true }, 'r').merge, true);
  });

  test(`keeps ${AUDIT_CHANGES_MAX} changes and counts the rest`, () => {
    const checklist = Array.from({ length: AUDIT_CHANGES_MAX + 5 }, (_, i) => item(`i${i}`, `Item ${i}`));
    const { _rev, ...created } = validInspection({ checklist });
    const entry = auditEntry({ before: null, after: created, stamp }, 'r');
    assert.equal(entry.changes.length, AUDIT_CHANGES_MAX);
    // 55 items, title, site, status, scheduledFor and priority (the current shape's): 60.
    assert.equal(entry.omitted, 10);
    assert.deepEqual(docViolations(entry, null, alice), []);
  });
});

describe('audit entry rules', () => {
  const record = validInspection({ _rev: '1-abc' });
  const entry = auditEntry({ before: record, after: edited(record, { title: 'New' }), stamp }, 'r1');

  test('the user it names may create it, an admin may copy it', () => {
    assert.deepEqual(docViolations(entry, null, alice), []);
    assert.deepEqual(docViolations(entry, null, admin), []);
  });

  test('nobody changes or deletes one, administrators included', () => {
    const stored = { ...entry, _rev: '1-x' };
    for (const user of [alice, admin]) {
      assert.deepEqual(docViolations({ ...stored, changes: [] }, stored, user), ['_id: audit entries cannot be changed']);
      assert.deepEqual(docViolations({ _id: entry._id, _rev: '1-x', _deleted: true }, stored, user), [
        '_id: audit entries cannot be deleted',
      ]);
    }
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['someone else', { user: 'bob' }, 'user: must be your own user name'],
    [
      'an id not of its record',
      { _id: 'audit:inspection:0f8fad5b-d9cb-469f-a165-70867728950f:x' },
      '_id: must be "audit:<docId>:<time>:<device>:<random>"',
    ],
    ['a type not its record', { docType: 'defect' }, 'docType: must be the type of docId'],
    ['a time that is none', { at: 'now' }, 'at: must be an ISO 8601 date-time'],
    ['no device', { deviceId: '' }, 'deviceId: is required'],
    [
      'a large value',
      { changes: [{ path: 'notes', after: 'x'.repeat(201) }] },
      'changes[0]: must be {path, item?, before?, after?} with short values',
    ],
    [
      'an object as a value',
      { changes: [{ path: 'notes', after: { data: 'x' } }] },
      'changes[0]: must be {path, item?, before?, after?} with short values',
    ],
    [
      'a photo',
      { _attachments: { 'photo-1.jpg': { content_type: 'image/jpeg', data: '' } } },
      '_attachments: audit entries carry no attachments',
    ],
    ['a field of its own (5 MB of it)', { payload: 'x'.repeat(5_000_000) }, 'payload: is not a field of an audit entry'],
    ['an id of 5 MB', { _id: `${entry._id}${'x'.repeat(5_000_000)}` }, '_id: must be at most 500 characters'],
  ];
  for (const [name, overrides, violation] of cases) {
    test(`refuses ${name}`, () => {
      assert.ok(
        docViolations({ ...entry, ...overrides }, null, alice).includes(violation),
        JSON.stringify(docViolations({ ...entry, ...overrides }, null, alice)),
      );
    });
  }
});
