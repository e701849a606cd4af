import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PartnerHoldings } from '../../proxy/partner-holdings';

const copy = (id: string) => ({ _id: id, _rev: '1-a', type: 'inspection', status: 'approved', partners: ['acme'] });
const deletion = (id: string) => ({ _id: id, _rev: '2-b', _deleted: true });

describe('partner holdings', () => {
  test('asks only about what the database listed or its follower read as a live copy, not about what it read as deleted', async () => {
    let listings = 0;
    const holdings = new PartnerHoldings(async () => {
      listings++;
      return ['inspection:listed', 'inspection:withdrawn'];
    });
    holdings.note([copy('defect:read'), deletion('inspection:withdrawn')]);
    const asked = ['inspection:listed', 'defect:read', 'inspection:withdrawn', 'inspection:never-shared'];
    // The listing answered after the follower read the deletion: kept as maybe held (one request more, nothing missed).
    assert.deepEqual(await holdings.mayHold(asked), ['inspection:listed', 'defect:read', 'inspection:withdrawn']);
    holdings.note([deletion('inspection:withdrawn'), { ...copy('inspection:listed'), _deleted: true }]);
    assert.deepEqual(await holdings.mayHold(asked), ['defect:read']);
    assert.equal(listings, 1);
  });

  test('a listing that fails fails the round, and the next round lists again', async () => {
    let fail = true;
    const holdings = new PartnerHoldings(async () => {
      if (fail) throw new Error('partner-acme/_all_docs answered 500');
      return ['inspection:1'];
    });
    await assert.rejects(holdings.mayHold(['inspection:1']), /answered 500/);
    fail = false;
    assert.deepEqual(await holdings.mayHold(['inspection:1', 'inspection:2']), ['inspection:1']);
  });

  test('past the bound on ids kept, it asks about everything', async () => {
    const many = Array.from({ length: 200_001 }, (_, i) => `inspection:${i}`);
    const holdings = new PartnerHoldings(async () => many);
    assert.deepEqual(await holdings.mayHold(['inspection:x', 'defect:y']), ['inspection:x', 'defect:y']);
  });
});
