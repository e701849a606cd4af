import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { docViolations, readOnlyBecause } from '../../domain/doc-rules';
import { checklistItem, defect, inspection } from '../fixtures/documents';

const alice = { name: 'alice', roles: ['inspector'] };
const sam = { name: 'sam', roles: ['supervisor'] };
const now = '2026-11-23T10:00:00.000Z';

export function validInspection(overrides: Record<string, unknown> = {}) {
  return inspection('alice', {
    _id: 'inspection:0f8fad5b-d9cb-469f-a165-70867728950e',
    createdAt: now,
    updatedAt: now,
    deviceId: 'device-1',
    ...overrides,
  });
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
    [
      'checklist result',
      validInspection({ checklist: [{ id: 'a', label: 'A', result: 'ok' }] }),
      'checklist[0].result: must be one of pass, fail, na or empty',
    ],
    [
      'duplicate checklist id',
      validInspection({
        checklist: [
          { id: 'a', label: 'A', result: null },
          { id: 'a', label: 'B', result: null },
        ],
      }),
      'checklist[1].id: must be unique',
    ],
    ['inspector approves', validInspection({ status: 'approved' }), 'status: only a supervisor may approve or reject'],
    ['severity out of range', validDefect({ severity: 6 }), 'severity: must be a whole number from 1 to 5'],
    ['defect status', validDefect({ status: 'closed' }), 'status: must be one of open, fixed, wont_fix'],
    ['defect without inspection', validDefect({ inspectionId: 'x' }), 'inspectionId: must be the id of an inspection'],
    [
      'attachment type',
      validDefect({ _attachments: { 'a.pdf': { content_type: 'application/pdf' } } }),
      '_attachments: a.pdf must be a JPEG, PNG or WebP image',
    ],
    ['half an emoji at the end', validDefect({ description: 'Rust 🔥'.slice(0, -1) }), 'description: must be valid Unicode text'],
    ['half an emoji at the start', validDefect({ description: '🔥 rust'.slice(1) }), 'description: must be valid Unicode text'],
    [
      'half an emoji deep in a list',
      validInspection({ checklist: [{ id: 'a', label: 'Exits\ud83d', result: null }] }),
      'checklist: must be valid Unicode text',
    ],
    ['a day past the end of its month', validInspection({ scheduledFor: '2024-02-30' }), 'scheduledFor: must be a date (YYYY-MM-DD)'],
    [
      'a time on a day that does not exist',
      validInspection({ updatedAt: '2026-04-31T10:00:00.000Z' }),
      'updatedAt: must be an ISO 8601 date-time',
    ],
  ];
  for (const [name, doc, message] of cases) {
    test(`reject ${name}`, () =>
      assert.ok(docViolations(doc as never, null, alice).includes(message), docViolations(doc as never, null, alice).join('; ')));
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
    assert.ok(
      docViolations({ _id: old._id, _deleted: true }, old, { name: 'bob', roles: ['inspector'] }).includes(
        'createdBy: only the owner may delete this document',
      ),
    );
  });

  test('a deletion carries who made it, when and where, and what it took, nothing else (a tombstone replicates like any record)', () => {
    const old = validInspection();
    const stamp = { updatedBy: 'alice', updatedAt: now, deviceId: 'device-1', deviceName: 'Tablet 3' };
    const took = { deletedDefects: ['defect:7c9e6679-7425-40de-944b-e07fc1f90ae7'] };
    const deletion = { _id: old._id, _rev: '1-a', _revisions: { start: 2, ids: ['b', 'a'] }, _deleted: true, ...stamp, ...took };
    assert.deepEqual(docViolations(deletion, old, alice), []);
    assert.deepEqual(docViolations({ ...deletion, mergedInto: '2-w' }, old, alice), []);
    const refused = (extra: Record<string, unknown>, user = alice) => docViolations({ ...deletion, ...extra }, old, user);
    for (const [field, value] of [
      ['partners', ['acme']],
      ['assignedTo', 'bob'],
      ['notes', 'not reviewed'],
      ['type', 'photo'],
      ['_attachments', { 'x.html': { content_type: 'text/html', data: 'PGgxPg==' } }],
    ] as const) {
      assert.deepEqual(refused({ [field]: value }), [`${field}: a deletion carries only who made it, when and where, and what it took`]);
      assert.equal(refused({ [field]: value, updatedBy: 'sam' }, sam).length, 1, `${field}, from a supervisor too`);
    }
    assert.deepEqual(refused({ updatedBy: 'sam' }), ['updatedBy: must be your own user name']);
    assert.deepEqual(refused({ updatedAt: 'yesterday' }), ['updatedAt: must be an ISO 8601 date-time']);
    assert.deepEqual(refused({ deletedDefects: ['inspection:x'] }), ['deletedDefects: must be a list of defect ids']);
    assert.deepEqual(refused({ deletedDefects: 'defect:x' }), ['deletedDefects: must be a list of defect ids']);
    assert.deepEqual(refused({ mergedInto: 7 }), ['mergedInto: must be a string']);
    // The same deletion of a new id (no stored body to check against) is held to it too.
    assert.ok(docViolations({ ...deletion, partners: ['acme'] }, null, alice).length > 0);
    // Server admins (the jobs that copy documents between databases) are not.
    assert.deepEqual(refused({ partners: ['acme'] }, { name: 'admin', roles: ['_admin'] }), []);
  });

  test('bound what a record carries: its texts, checklist and images', () => {
    const refused = (doc: Record<string, unknown>, old: Record<string, unknown> | null = null) => docViolations(doc, old, alice);
    assert.deepEqual(refused(validInspection({ notes: 'x'.repeat(10_000) })), []);
    assert.deepEqual(refused(validInspection({ notes: 'x'.repeat(10_001) })), ['notes: must be at most 10000 characters']);
    assert.deepEqual(refused(validInspection({ reviewComment: 'x'.repeat(2_001) })), ['reviewComment: must be at most 2000 characters']);
    assert.deepEqual(refused(validDefect({ description: 'x'.repeat(10_001) })), ['description: must be at most 10000 characters']);
    assert.deepEqual(refused(validDefect({ location: 'x'.repeat(501) })), ['location: must be at most 500 characters']);
    const items = (count: number, note = '') => Array.from({ length: count }, (_, i) => ({ ...checklistItem(`i${i}`), note }));
    assert.deepEqual(refused(validInspection({ checklist: items(200) })), []);
    assert.deepEqual(refused(validInspection({ checklist: items(201) })), ['checklist: must have at most 200 items']);
    assert.deepEqual(refused(validInspection({ checklist: items(1, 'x'.repeat(2_001)) })), [
      'checklist[0].note: must be at most 2000 characters',
    ]);
    // Ids that are names of Object's own are ids like any other.
    assert.deepEqual(refused(validInspection({ checklist: ['constructor', '__proto__', 'toString'].map((id) => checklistItem(id)) })), []);

    const image = (bytes: number) => ({ content_type: 'image/jpeg', data: 'A'.repeat(Math.ceil((bytes * 4) / 3)) });
    assert.deepEqual(refused(validDefect({ _attachments: { 'thumb-a.jpg': image(1024 * 1024) } })), []);
    assert.deepEqual(refused(validDefect({ _attachments: { 'thumb-a.jpg': image(1024 * 1024 + 3) } })), [
      '_attachments: thumb-a.jpg must be at most 1 MB',
    ]);
    // As CouchDB shows an attachment: its length. One the stored version holds is not judged again.
    const large = { content_type: 'image/jpeg', stub: true, digest: 'md5-a', length: 20_000_000 };
    assert.deepEqual(refused(validDefect({ _attachments: { 'a.jpg': large } })), ['_attachments: a.jpg must be at most 16 MB']);
    const stored = validDefect({ _rev: '1-a', _attachments: { 'a.jpg': large } });
    assert.deepEqual(refused({ ...stored, title: 'Leak 2' }, stored), []);
    assert.deepEqual(refused({ ...stored, _attachments: { 'a.jpg': { ...large, digest: 'md5-b' } } }, stored), [
      '_attachments: a.jpg must be at most 16 MB',
    ]);
    const many = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`thumb-${i}.jpg`, image(10)]));
    assert.deepEqual(refused(validDefect({ _attachments: many })), ['_attachments: at most 100 images per record']);
    // Server admins (the jobs that copy documents between databases) copy what is there.
    const admin = { name: 'admin', roles: ['_admin'] };
    assert.deepEqual(docViolations(validDefect({ description: 'x'.repeat(10_001), _attachments: { 'a.jpg': large } }), null, admin), []);
  });

  test('a resolution’s tombstone on a losing version may be written by whoever edits the record; deleting the record stays the owner’s', () => {
    const bob = { name: 'bob', roles: ['inspector'] };
    const losing = { ...validInspection({ assignedTo: 'bob' }), _rev: '2-b' };
    const endsBranch = { _id: losing._id, _deleted: true, mergedInto: '2-w' };
    assert.deepEqual(docViolations(endsBranch, losing, bob), []);
    assert.ok(
      docViolations({ ...endsBranch, mergedInto: '2-b' }, losing, bob).includes('createdBy: only the owner may delete this document'),
    );
    const submitted = { ...losing, status: 'submitted' };
    assert.ok(docViolations(endsBranch, submitted, bob).length > 0, 'a locked record stays locked');
  });

  test('only supervisors share with partners, on inspections and defects alike', () => {
    const shared = validInspection({ status: 'approved', partners: ['acme'], updatedBy: 'sam' });
    assert.deepEqual(docViolations(shared, validInspection({ status: 'submitted' }), sam), []);
    assert.ok(
      docViolations(validInspection({ partners: ['acme'] }), null, alice).includes('partners: only a supervisor may share with partners'),
    );
    assert.ok(
      docViolations(validDefect({ partners: ['acme'] }), validDefect(), alice).includes(
        'partners: only a supervisor may share with partners',
      ),
    );
    assert.deepEqual(docViolations(validDefect({ partners: ['acme'], updatedBy: 'sam' }), validDefect(), sam), []);
    // An inspector's later edit of a shared defect keeps the field as it is.
    assert.deepEqual(docViolations(validDefect({ partners: ['acme'], status: 'fixed' }), validDefect({ partners: ['acme'] }), alice), []);
    assert.ok(docViolations(validDefect({ partners: 'acme' }), null, sam).includes('partners: must be a list of partner names'));
    assert.ok(docViolations(validInspection({ partners: ['acme', ''] }), null, sam).includes('partners: must be a list of partner names'));
  });

  test('only supervisors assign inspections; an inspector may take their own', () => {
    assert.deepEqual(docViolations(validInspection({ assignedTo: 'alice' }), null, alice), []);
    assert.ok(
      docViolations(validInspection({ assignedTo: 'bob' }), null, alice).includes('assignedTo: only a supervisor may assign inspections'),
    );
    const assigned = validInspection({ createdBy: 'sam', assignedTo: 'alice' });
    assert.deepEqual(docViolations({ ...assigned, title: 'Started' }, assigned, alice), []);
    assert.ok(
      docViolations({ ...assigned, assignedTo: 'bob' }, assigned, alice).includes('assignedTo: only a supervisor may assign inspections'),
    );
    assert.deepEqual(docViolations(validInspection({ createdBy: 'sam', updatedBy: 'sam', assignedTo: 'bob' }), null, sam), []);
  });

  test('only supervisors say who an inspection was taken from; an inspector keeps what a reassignment wrote', () => {
    const mine = validInspection({ assignedTo: 'alice' });
    // Naming someone as the one it was taken from would copy it into their database.
    assert.ok(
      docViolations({ ...mine, unassignedFrom: 'carol' }, mine, alice).includes(
        'unassignedFrom: only a supervisor may reassign inspections',
      ),
    );
    assert.ok(
      docViolations(validInspection({ unassignedFrom: 'carol' }), null, alice).includes(
        'unassignedFrom: only a supervisor may reassign inspections',
      ),
    );
    assert.ok(docViolations({ ...mine, unassignedFrom: 7 }, mine, sam).includes('unassignedFrom: must be a string'));
    const reassigned = validInspection({ createdBy: 'sam', assignedTo: 'alice', unassignedFrom: 'bob' });
    assert.deepEqual(docViolations({ ...reassigned, title: 'Started' }, reassigned, alice), []);
    // Nor can the inspector it was taken from take it back.
    const taken = validInspection({ assignedTo: 'bob', unassignedFrom: 'alice' });
    assert.ok(
      docViolations({ ...taken, assignedTo: 'alice' }, taken, alice).includes('assignedTo: only a supervisor may assign inspections'),
    );
    assert.deepEqual(docViolations({ ...mine, updatedBy: 'sam', assignedTo: 'bob', unassignedFrom: 'alice' }, mine, sam), []);
  });

  /** Asserts that `violations` include `expected` (with a message: a failing `assert.ok` without one hangs under tsx, building it from the source). */
  const refuses = (violations: string[], expected: string, why = '') =>
    assert.ok(violations.includes(expected), `${why} expected "${expected}" among ${JSON.stringify(violations)}`);

  test('an inspection reassigned away is no longer its previous inspector’s to change or delete; what she wrote before goes through', () => {
    const before = { ...validInspection({ createdBy: 'alice', assignedTo: 'alice' }), _rev: '1-a' };
    const taken = { ...before, updatedBy: 'sam', assignedTo: 'bob', unassignedFrom: 'alice', _rev: '2-s' };
    const reason = 'assignedTo: this inspection was reassigned to another inspector';
    refuses(docViolations({ ...taken, title: 'Mine again' }, taken, alice), reason);
    refuses(docViolations({ ...taken, status: 'submitted' }, taken, alice), reason);
    const tombstone = { _id: taken._id, _deleted: true };
    refuses(docViolations(tombstone, taken, alice), reason, 'even as its creator:');
    refuses(docViolations({ ...tombstone, mergedInto: '3-x' }, taken, alice), reason, 'even as a branch’s end:');
    // Her offline edit of the revision before the reassignment (a replicated write is judged against its parent).
    assert.deepEqual(docViolations({ ...before, title: 'Offline edit' }, before, alice), []);
    const bob = { name: 'bob', roles: ['inspector'] };
    assert.deepEqual(docViolations({ ...taken, updatedBy: 'bob', title: 'Started' }, taken, bob), []);
    assert.deepEqual(docViolations({ ...taken, title: 'Back to alice', assignedTo: 'alice', unassignedFrom: 'bob' }, taken, sam), []);
  });

  test('a defect stays with the inspection it was written for', () => {
    const stored = validDefect();
    const moved = { ...stored, inspectionId: 'inspection:9b2e4c1a-1d2f-4e3a-8b5c-6d7e8f9a0b1c' };
    refuses(docViolations(moved, stored, alice), 'inspectionId: cannot be changed');
    refuses(docViolations({ ...moved, updatedBy: 'sam' }, stored, sam), 'inspectionId: cannot be changed');
    assert.deepEqual(docViolations(moved, stored, { name: null, roles: ['_admin'] }), []);
  });

  test('a photo has no branch to end: a tombstone naming a merge does not make someone else’s photo deletable', () => {
    const photo = { _id: 'photo:defect:7c9e6679-7425-40de-944b-e07fc1f90ae7:p1.jpg', _rev: '1-p', type: 'photo', createdBy: 'alice' };
    const bob = { name: 'bob', roles: ['inspector'] };
    refuses(
      docViolations({ _id: photo._id, _deleted: true, mergedInto: 'x' }, photo, bob),
      'createdBy: only the owner may delete this document',
    );
    assert.deepEqual(docViolations({ _id: photo._id, _deleted: true }, photo, alice), []);
  });

  test("server admins (replication) may write other users' documents", () => {
    assert.deepEqual(docViolations(validInspection({ createdBy: 'bob', updatedBy: 'bob' }), null, { name: null, roles: ['_admin'] }), []);
  });
});

const admin = { name: 'ada', roles: ['admin', '_admin'] };
const bob = { name: 'bob', roles: ['inspector'] };
const STATUSES = ['draft', 'submitted', 'approved', 'rejected'] as const;
type Status = (typeof STATUSES)[number];
const answered = [checklistItem('c1', 'pass'), checklistItem('c2', 'fail'), checklistItem('c3', 'na')];
const by = (user: { name: string }) => ({ updatedBy: user.name, updatedAt: '2026-11-24T09:00:00.000Z' });

/** What an inspector may turn a stored inspection status into (`none`: a new document); supervisors and admins may do any. */
const INSPECTOR_MAY: Record<Status | 'none', Status[]> = {
  none: ['draft', 'submitted'],
  draft: ['draft', 'submitted'],
  rejected: ['draft', 'submitted', 'rejected'],
  submitted: [],
  approved: [],
};

describe('the review workflow, per role', () => {
  for (const from of ['none', ...STATUSES] as const) {
    for (const to of STATUSES) {
      for (const user of [alice, sam, admin]) {
        const allowed = user === alice ? INSPECTOR_MAY[from].includes(to) : true;
        test(`inspection ${from} → ${to} by ${user.roles[0]}: ${allowed ? 'allowed' : 'refused'}`, () => {
          const old = from === 'none' ? null : validInspection({ status: from, checklist: answered });
          const doc = validInspection({
            status: to,
            checklist: answered,
            title: 'Changed',
            ...by(user),
            ...(old ? {} : { createdBy: user.name }),
          });
          const violations = docViolations(doc, old, user);
          if (allowed) assert.deepEqual(violations, []);
          else
            assert.ok(
              violations.some((violation) => violation.startsWith('status: ')),
              violations.join('; '),
            );
        });
      }
    }
  }

  for (const from of ['none', ...STATUSES] as const) {
    for (const user of [alice, sam, admin]) {
      const allowed = user !== alice || !['submitted', 'approved'].includes(from);
      test(`defect rename and new severity, inspection ${from}, by ${user.roles[0]}: ${allowed ? 'allowed' : 'refused'}`, () => {
        const copy = from === 'none' ? {} : { inspectionStatus: from };
        const doc = validDefect({ ...copy, title: 'Renamed', severity: 1, ...by(user) });
        const violations = docViolations(doc, validDefect(copy), user);
        if (allowed) assert.deepEqual(violations, []);
        else
          assert.ok(
            violations.some((violation) => violation.startsWith('inspectionStatus: ')),
            violations.join('; '),
          );
      });
    }
  }

  for (const from of ['none', ...STATUSES] as const) {
    for (const to of STATUSES) {
      const allowed = INSPECTOR_MAY[from].includes(to) || (from === 'none' && to === 'draft');
      test(`a defect's copy ${from} → ${to} by an inspector: ${allowed ? 'allowed' : 'refused'}; by a supervisor: allowed`, () => {
        const old = validDefect(from === 'none' ? {} : { inspectionStatus: from });
        const violations = docViolations(validDefect({ inspectionStatus: to }), old, alice);
        if (allowed) assert.deepEqual(violations, []);
        else
          assert.ok(
            violations.some((violation) => violation.startsWith('inspectionStatus: ')),
            violations.join('; '),
          );
        assert.deepEqual(docViolations(validDefect({ inspectionStatus: to, ...by(sam) }), old, sam), []);
      });
    }
  }

  test('the read-only messages say why', () => {
    const edit = { title: 'Renamed' };
    assert.deepEqual(docViolations(validInspection({ status: 'submitted', ...edit }), validInspection({ status: 'submitted' }), alice), [
      'status: a submitted inspection is read-only until a supervisor rejects it',
    ]);
    assert.deepEqual(docViolations(validInspection({ status: 'draft', ...edit }), validInspection({ status: 'submitted' }), alice), [
      'status: a submitted inspection is read-only until a supervisor rejects it',
    ]);
    assert.deepEqual(
      docViolations(validDefect({ inspectionStatus: 'approved', ...edit }), validDefect({ inspectionStatus: 'approved' }), alice),
      ['inspectionStatus: the defects of an approved inspection can only be changed by a supervisor'],
    );
    // Unsetting the copy does not unlock the defect.
    assert.deepEqual(docViolations(validDefect(edit), validDefect({ inspectionStatus: 'submitted' }), alice), [
      'inspectionStatus: the defects of a submitted inspection are read-only until a supervisor rejects it',
    ]);
    assert.deepEqual(docViolations(validDefect({ inspectionStatus: 'approved' }), null, alice), [
      'inspectionStatus: only a supervisor may approve or reject',
    ]);
    assert.ok(
      docViolations(validDefect({ inspectionStatus: 'done' }), null, sam).includes(
        'inspectionStatus: must be one of draft, submitted, approved, rejected',
      ),
    );
  });

  test('a submitted or approved inspection and its defects cannot be deleted by their inspector; a supervisor may', () => {
    for (const status of STATUSES) {
      const locked = status === 'submitted' || status === 'approved';
      const inspectionViolations = docViolations({ _id: 'inspection:x', _deleted: true }, validInspection({ status }), alice);
      const defectViolations = docViolations({ _id: 'defect:x', _deleted: true }, validDefect({ inspectionStatus: status }), alice);
      assert.equal(inspectionViolations.length > 0, locked, `inspection ${status}: ${inspectionViolations.join('; ')}`);
      assert.equal(defectViolations.length > 0, locked, `defect ${status}: ${defectViolations.join('; ')}`);
      assert.deepEqual(docViolations({ _id: 'inspection:x', _deleted: true }, validInspection({ status }), sam), []);
      assert.deepEqual(docViolations({ _id: 'defect:x', _deleted: true }, validDefect({ inspectionStatus: status }), sam), []);
    }
    // Owners only, as before, whatever the state.
    assert.ok(
      docViolations({ _id: 'defect:x', _deleted: true }, validDefect(), bob).includes('createdBy: only the owner may delete this document'),
    );
  });
});

describe('submitting needs every checklist item answered', () => {
  const unanswered = [checklistItem('c1', 'pass'), checklistItem('c2'), checklistItem('c3', 'na'), checklistItem('c4')];

  test('an inspector or a supervisor submitting with unanswered items is refused, item by item', () => {
    for (const [user, old] of [
      [alice, validInspection({ checklist: unanswered })],
      [alice, validInspection({ status: 'rejected', checklist: unanswered })],
      [alice, null],
      [sam, validInspection({ checklist: unanswered })],
    ] as const) {
      const violations = docViolations(validInspection({ status: 'submitted', checklist: unanswered, ...by(user) }), old, user);
      assert.deepEqual(violations, [
        'checklist[1].result: must be answered (or marked N/A) before submitting',
        'checklist[3].result: must be answered (or marked N/A) before submitting',
      ]);
    }
  });

  test('pass, fail and N/A all count as answered; an empty checklist has nothing to answer', () => {
    assert.deepEqual(docViolations(validInspection({ status: 'submitted', checklist: answered }), validInspection(), alice), []);
    assert.deepEqual(docViolations(validInspection({ status: 'submitted', checklist: [] }), validInspection(), alice), []);
  });

  test('a draft may keep unanswered items; a supervisor reviewing an old submission with some is not refused', () => {
    assert.deepEqual(
      docViolations(validInspection({ checklist: unanswered, title: 'Later' }), validInspection({ checklist: unanswered }), alice),
      [],
    );
    const oldSubmission = validInspection({ status: 'submitted', checklist: unanswered });
    assert.deepEqual(docViolations(validInspection({ status: 'rejected', checklist: unanswered, ...by(sam) }), oldSubmission, sam), []);
    assert.deepEqual(docViolations(validInspection({ status: 'approved', checklist: unanswered, ...by(sam) }), oldSubmission, sam), []);
  });

  test('server admins (the replication jobs) copy a submitted inspection as it is', () => {
    assert.deepEqual(
      docViolations(validInspection({ status: 'submitted', checklist: unanswered }), null, { name: null, roles: ['_admin'] }),
      [],
    );
  });
});

describe('readOnlyBecause, which the app shows, agrees with the rules', () => {
  for (const status of [undefined, ...STATUSES]) {
    for (const user of [alice, sam, admin]) {
      test(`${status ?? 'no status'}, ${user.roles[0]}`, () => {
        const reason = readOnlyBecause(status, user);
        const inspectionRefused =
          docViolations(
            validInspection({ status: status ?? 'draft', checklist: answered, title: 'Changed', ...by(user) }),
            validInspection({ status: status ?? 'draft', checklist: answered }),
            user,
          ).length > 0;
        const defectRefused =
          docViolations(
            validDefect({ inspectionStatus: status, title: 'Changed', ...by(user) }),
            validDefect({ inspectionStatus: status }),
            user,
          ).length > 0;
        assert.equal(reason !== null, inspectionRefused);
        assert.equal(reason !== null, defectRefused);
        if (reason) assert.equal(reason, status);
      });
    }
  }
});
