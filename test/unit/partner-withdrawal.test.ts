import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { copyOf, planWithdrawals, type SharedDoc } from '../../proxy/partner-withdrawal';

const approved: SharedDoc = { _id: 'inspection:1', _rev: '3-a', type: 'inspection', status: 'approved', partners: ['acme'] };
const reopened: SharedDoc = { ...approved, _rev: '4-r', status: 'rejected' };
const defect: SharedDoc = { _id: 'defect:1', _rev: '2-d', type: 'defect', inspectionStatus: 'approved', partners: ['acme'] };

describe('partner withdrawal', () => {
  test('withdraws every live leaf of a copy the hub no longer shares with the partner', () => {
    const copies = [copyOf({ ...approved, _conflicts: ['3-b'] })!, copyOf(defect)!];
    const hub = new Map([
      [approved._id, reopened],
      [defect._id, defect],
    ]);
    assert.deepEqual(planWithdrawals('acme', copies, hub), [
      { _id: approved._id, _rev: '3-a', _deleted: true },
      { _id: approved._id, _rev: '3-b', _deleted: true },
    ]);
  });

  test('a copy goes when the hub deleted the document, lost it, or shares it with others only', () => {
    const copies = [copyOf(approved)!];
    for (const current of [{ ...approved, _rev: '4-x', _deleted: true }, null, { ...approved, partners: ['globex'] }]) {
      assert.deepEqual(planWithdrawals('acme', copies, new Map([[approved._id, current]])), [
        { _id: approved._id, _rev: '3-a', _deleted: true },
      ]);
    }
  });

  test('keeps what is still shared and what the hub was not asked about', () => {
    assert.deepEqual(planWithdrawals('acme', [copyOf(approved)!], new Map([[approved._id, approved]])), []);
    assert.deepEqual(planWithdrawals('acme', [copyOf(approved)!], new Map()), []);
  });

  test('never touches deletions or the partner database’s own design documents', () => {
    assert.equal(copyOf({ ...approved, _deleted: true }), null);
    assert.equal(copyOf({ _id: '_design/read-only', _rev: '1-x' }), null);
  });
});
