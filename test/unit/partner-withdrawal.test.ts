import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as settled } from 'node:timers/promises';
import { coalescedCompactions } from '../../proxy/coalesced-compactions';
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

  test('of a copy still shared, withdraws the losing revisions the hub does not share, and only those', () => {
    const copies = [copyOf({ ...approved, _conflicts: ['3-s', '3-o'] })!];
    const hub = new Map([[approved._id, approved]]);
    const leaves = new Map([
      [
        approved._id,
        [approved, { ...approved, _rev: '3-s', status: 'submitted' }, { ...approved, _rev: '3-o', partners: ['acme', 'globex'] }],
      ],
    ]);
    assert.deepEqual(planWithdrawals('acme', copies, hub, leaves), [{ _id: approved._id, _rev: '3-s', _deleted: true }]);
    assert.deepEqual(planWithdrawals('acme', copies, hub), []);
  });

  test('of a copy still shared, withdraws the leaves the hub deleted or edited since, not those it has yet to bring up', () => {
    const copies = [copyOf({ ...approved, _conflicts: ['3-d', '3-e', '2-p'] })!];
    const hub = new Map([[approved._id, approved]]);
    const leaves = new Map([
      [
        approved._id,
        [
          { ...approved, _revisions: { start: 3, ids: ['a', 'p', 'o'] } },
          { _id: approved._id, _rev: '4-x', _deleted: true, _revisions: { start: 4, ids: ['x', 'd', 'o'] } },
          { ...approved, _rev: '4-y', status: 'submitted', _revisions: { start: 4, ids: ['y', 'e', 'o'] } },
        ] as SharedDoc[],
      ],
    ]);
    assert.deepEqual(planWithdrawals('acme', copies, hub, leaves), [
      { _id: approved._id, _rev: '3-d', _deleted: true },
      { _id: approved._id, _rev: '3-e', _deleted: true },
    ]);
  });

  test('never touches deletions or the partner database’s own design documents', () => {
    assert.equal(copyOf({ ...approved, _deleted: true }), null);
    assert.equal(copyOf({ _id: '_design/read-only', _rev: '1-x' }), null);
  });
});

describe('compactions after a withdrawal', () => {
  /** Compactions that end when the test says so: the databases asked for, in order. */
  function heldCompactions() {
    const asked: string[] = [];
    const ends = new Map<string, (error?: Error) => void>();
    const compactions = coalescedCompactions((db) => {
      asked.push(db);
      return new Promise<void>((resolve, reject) => ends.set(db, (error) => (error ? reject(error) : resolve())));
    });
    const end = async (db: string, error?: Error) => {
      ends.get(db)!(error);
      await settled();
    };
    return { compactions, asked, end };
  }
  /** What a request has come to so far: pending, done, or its failure. */
  function outcome(request: Promise<void>) {
    const seen = { now: 'pending' };
    request.then(
      () => (seen.now = 'done'),
      (error: Error) => (seen.now = error.message),
    );
    return seen;
  }

  test('a burst asks one compaction per database, and one more after it for what came during it', async () => {
    const { compactions, asked, end } = heldCompactions();
    for (const db of ['partner-acme', 'partner-acme', 'partner-globex', 'partner-acme']) void compactions.request(db);
    assert.deepEqual(asked, ['partner-acme', 'partner-globex']);
    await end('partner-acme');
    assert.deepEqual(asked, ['partner-acme', 'partner-globex', 'partner-acme']);
    await end('partner-acme');
    await end('partner-globex');
    assert.equal(asked.length, 3, 'nothing was asked for after the last one began');
    void compactions.request('partner-acme');
    assert.equal(asked.length, 4, 'a request after they ended asks at once');
  });

  test('a request is done when a compaction begun after it is done, not the one under way before it', async () => {
    const { compactions, end } = heldCompactions();
    const first = outcome(compactions.request('partner-acme'));
    const [second, third] = [outcome(compactions.request('partner-acme')), outcome(compactions.request('partner-acme'))];
    await end('partner-acme');
    assert.deepEqual([first.now, second.now, third.now], ['done', 'pending', 'pending']);
    await end('partner-acme');
    assert.deepEqual([second.now, third.now], ['done', 'done']);
  });

  test('a failed compaction fails its requests and the one behind it is asked all the same; after stop nothing is asked', async () => {
    const { compactions, asked, end } = heldCompactions();
    const failing = outcome(compactions.request('partner-acme'));
    const behind = outcome(compactions.request('partner-acme'));
    await end('partner-acme', new Error('compaction refused'));
    assert.equal(failing.now, 'compaction refused');
    assert.equal(asked.length, 2, 'the one behind it is asked all the same');
    await end('partner-acme');
    assert.equal(behind.now, 'done');
    const underWay = outcome(compactions.request('partner-acme'));
    const queued = outcome(compactions.request('partner-acme'));
    compactions.stop();
    await end('partner-acme');
    assert.deepEqual([underWay.now, queued.now], ['done', 'compactions stopped'], 'the one behind never starts');
    await assert.rejects(compactions.request('partner-acme'), /compactions stopped/);
    assert.equal(asked.length, 3);
  });
});
