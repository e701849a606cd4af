import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { isSharedWith, partnerSelector } from '../../domain/partner-share';
import { localDb } from '../support/node-pouch';

const docs = [
  { _id: 'i-approved', type: 'inspection', status: 'approved', partners: ['acme'] },
  { _id: 'i-approved-two', type: 'inspection', status: 'approved', partners: ['globex', 'acme'] },
  { _id: 'i-other-partner', type: 'inspection', status: 'approved', partners: ['globex'] },
  { _id: 'i-not-shared', type: 'inspection', status: 'approved' },
  { _id: 'i-reopened', type: 'inspection', status: 'rejected', partners: ['acme'] },
  { _id: 'i-submitted', type: 'inspection', status: 'submitted', partners: ['acme'] },
  { _id: 'd-approved', type: 'defect', inspectionStatus: 'approved', partners: ['acme'] },
  { _id: 'd-reopened', type: 'defect', inspectionStatus: 'rejected', partners: ['acme'] },
  { _id: 'd-no-status', type: 'defect', partners: ['acme'] },
  { _id: 'd-not-shared', type: 'defect', inspectionStatus: 'approved' },
  { _id: 'p-shared', type: 'photo', partners: ['acme'] },
  { _id: 'p-not-shared', type: 'photo' },
  { _id: 'a-entry', type: 'audit', partners: ['acme'] },
  { _id: 'x-partners-not-a-list', type: 'inspection', status: 'approved', partners: 'acme' },
];

describe('partner share', () => {
  const db = localDb('partner-share');
  after(() => db.destroy());

  test('the job’s selector and the withdrawal’s predicate pick the same documents', async () => {
    await db.bulkDocs(docs);
    for (const partner of ['acme', 'globex', 'initech']) {
      const { results } = await db.changes({ selector: partnerSelector(partner) } as PouchDB.Core.ChangesOptions);
      const bySelector = results.map((row) => row.id).sort();
      const byPredicate = docs
        .filter((doc) => isSharedWith(doc, partner))
        .map((doc) => doc._id)
        .sort();
      assert.deepEqual(byPredicate, bySelector, partner);
    }
    // Not vacuous: the rule shares some and withholds others.
    assert.deepEqual(
      docs.filter((doc) => isSharedWith(doc, 'acme')).map((doc) => doc._id),
      ['i-approved', 'i-approved-two', 'd-approved', 'p-shared'],
    );
  });
});
