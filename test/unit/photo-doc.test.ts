import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { docViolations } from '../../domain/doc-rules';
import { PULL_SELECTOR, isPhotoId, newPhotoDoc, photoDefectId, photoDocId } from '../../domain/photo-doc';

const alice = { name: 'alice', roles: ['inspector'] };
const bob = { name: 'bob', roles: ['inspector'] };
const sam = { name: 'sam', roles: ['supervisor'] };
const admin = { name: null, roles: ['_admin'] };
const defectId = 'defect:7c9e6679-7425-40de-944b-e07fc1f90ae7';

function photo(overrides: Record<string, unknown> = {}): Record<string, unknown> & { _id: string } {
  return {
    ...newPhotoDoc(
      {
        defectId,
        createdBy: 'alice',
        createdAt: '2026-11-23T10:00:00.000Z',
        deviceId: 'device-1',
      },
      '0mabc1234-1a2b3c4d.jpg',
      { content_type: 'image/jpeg', data: 'AAAA' },
    ),
    ...overrides,
  };
}

describe('photo documents', () => {
  test('are named after their defect and the thumbnail stem', () => {
    assert.equal(photo()._id, `photo:${defectId}:0mabc1234-1a2b3c4d.jpg`);
    assert.equal(photoDocId(defectId, 'x.jpg'), `photo:${defectId}:x.jpg`);
    assert.ok(isPhotoId(photo()._id));
    assert.ok(!isPhotoId(defectId));
    assert.equal(photoDefectId(photo()._id), defectId);
    assert.equal(photoDefectId(defectId), null);
  });

  test('the rules accept a photo its taker writes', () => {
    assert.deepEqual(docViolations(photo(), null, alice), []);
  });

  const refusals: [string, Record<string, unknown>, string][] = [
    ['someone else as taker', { createdBy: 'bob' }, 'createdBy: must be your own user name'],
    [
      'an id of another defect',
      { _id: 'photo:defect:0f8fad5b-d9cb-469f-a165-70867728950e:a.jpg' },
      '_id: must be "photo:<defectId>:<name>"',
    ],
    ['no attachment', { _attachments: undefined }, '_attachments: a photo carries one attachment, full'],
    [
      'two attachments',
      { _attachments: { full: { content_type: 'image/jpeg' }, more: { content_type: 'image/jpeg' } } },
      '_attachments: a photo carries one attachment, full',
    ],
    ['a PDF', { _attachments: { full: { content_type: 'application/pdf' } } }, '_attachments: full must be a JPEG, PNG or WebP image'],
    ['no defect', { defectId: undefined }, 'defectId: is required'],
    ['no date', { createdAt: 'yesterday' }, 'createdAt: must be an ISO 8601 date-time'],
  ];
  for (const [what, overrides, message] of refusals) {
    test(`the rules refuse ${what}`, () => {
      const violations = docViolations(photo(overrides), null, alice);
      assert.ok(violations.includes(message), violations.join('; '));
    });
  }

  test('are immutable: nobody but an administrator changes one', () => {
    const stored = { ...photo(), _rev: '1-a' };
    for (const user of [alice, sam]) {
      assert.deepEqual(docViolations({ ...stored, deviceId: 'device-2' }, stored, user), ['_id: photos cannot be changed']);
    }
    assert.deepEqual(docViolations({ ...stored, deviceId: 'device-2' }, stored, admin), []);
  });

  test('a supervisor shares one with partners, changing `partners` and nothing else; an inspector may not', () => {
    const stored = { ...photo(), _rev: '1-a', _attachments: { full: { content_type: 'image/jpeg', digest: 'md5-x', stub: true } } };
    const shared = { ...stored, partners: ['acme'] };
    assert.deepEqual(docViolations(shared, stored, sam), []);
    assert.deepEqual(docViolations({ ...stored }, { ...shared }, sam), []);
    assert.ok(docViolations(shared, stored, alice).includes('partners: only a supervisor may share with partners'));
    assert.ok(docViolations(photo({ partners: ['acme'] }), null, alice).includes('partners: only a supervisor may share with partners'));
    const newImage = { ...shared, _attachments: { full: { content_type: 'image/jpeg', data: 'BBBB' } } };
    assert.deepEqual(docViolations(newImage, stored, sam), ['_id: photos cannot be changed']);
    // As CouchDB shows a new inline image to the rules: a stub of its own.
    const newStub = { ...shared, _attachments: { full: { content_type: 'text/html', digest: 'md5-y', stub: true, revpos: 0 } } };
    assert.deepEqual(docViolations(newStub, stored, sam), ['_id: photos cannot be changed']);
    const retyped = { ...shared, _attachments: { full: { ...stored._attachments.full, content_type: 'text/html' } } };
    assert.deepEqual(docViolations(retyped, stored, sam), ['_id: photos cannot be changed']);
  });

  test('are deleted by their taker or a supervisor, not by another inspector', () => {
    const stored = { ...photo(), _rev: '1-a' };
    const tombstone = { _id: stored._id, _rev: '1-a', _deleted: true };
    assert.deepEqual(docViolations(tombstone, stored, alice), []);
    assert.deepEqual(docViolations(tombstone, stored, sam), []);
    assert.ok(docViolations(tombstone, stored, bob).includes('createdBy: only the owner may delete this document'));
  });

  test("the tablet's pull selector leaves out photo documents and nothing else", () => {
    const pattern = new RegExp(PULL_SELECTOR._id.$regex);
    assert.ok(!pattern.test(photo()._id));
    for (const id of [defectId, 'inspection:1', 'audit:defect:1:2', '_design/fieldbook', 'photos-of-the-day'])
      assert.ok(pattern.test(id), id);
  });
});
