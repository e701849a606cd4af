import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planHandovers, type HubChange, type HubReader, type HubRecord } from '../../proxy/record-handover';

const INSPECTION = 'inspection:1';
const reassigned: HubRecord = {
  _id: INSPECTION,
  _rev: '3-i',
  type: 'inspection',
  createdBy: 'sam',
  assignedTo: 'bob',
  unassignedFrom: 'alice',
};
const defect: HubRecord = {
  _id: 'defect:1',
  _rev: '1-d',
  _conflicts: ['1-e'],
  type: 'defect',
  inspectionId: INSPECTION,
  createdBy: 'alice',
  updatedBy: 'alice',
};
const photo: HubRecord = { _id: 'photo:defect:1:a.jpg', _rev: '1-p', type: 'photo', defectId: 'defect:1', createdBy: 'alice' };
const entry: HubRecord = { _id: 'audit:defect:1:t:d:r', _rev: '1-a', type: 'audit', docId: 'defect:1', user: 'alice' };
const bobsDefect: HubRecord = {
  _id: 'defect:2',
  _rev: '1-b',
  type: 'defect',
  inspectionId: INSPECTION,
  createdBy: 'bob',
  updatedBy: 'bob',
};

/** A hub of these documents (and these earlier revisions of them, the latest first), counting what is asked of it. */
function hubOf(docs: HubRecord[], earlier: HubRecord[] = []): HubReader & { asked: string[] } {
  const byId = new Map(docs.map((doc) => [doc._id, doc]));
  const asked: string[] = [];
  return {
    asked,
    async docs(ids) {
      asked.push(`docs ${ids.join(',')}`);
      return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    },
    async defectsOf(inspectionId) {
      asked.push(`defects ${inspectionId}`);
      return docs.filter((doc) => doc.type === 'defect' && doc.inspectionId === inspectionId);
    },
    async range(startkey, endkey) {
      return docs.filter((doc) => doc._id >= startkey && doc._id <= endkey);
    },
    async ancestors(id) {
      return earlier.filter((doc) => doc._id === id);
    },
  };
}

const change = (doc: HubRecord, revs = [doc._rev]): HubChange => ({ doc, revs });
const plain = (handovers: { to: string; leaves: Map<string, string[]> }[]) =>
  handovers.map(({ to, leaves }) => ({ to, leaves: Object.fromEntries(leaves) }));

describe('the record handover plan', () => {
  test('a reassigned inspection’s change hands over the records others wrote on it, with every leaf revision, and releases it to the one it was taken from', async () => {
    const hub = hubOf([reassigned, defect, photo, entry, bobsDefect]);
    const { handovers, released, gathered } = await planHandovers([change(reassigned)], hub, new Map(), new Map());
    assert.deepEqual(plain(handovers), [
      { to: 'bob', leaves: { [defect._id]: ['1-d', '1-e'], [entry._id]: ['1-a'], [photo._id]: ['1-p'] } },
    ]);
    assert.deepEqual(released, [{ from: 'alice', inspectionId: INSPECTION, revs: ['3-i'] }]);
    assert.deepEqual(gathered, [[INSPECTION, 'bob']]);
  });

  test('once gathered for an assignee, the inspection’s later changes gather nothing again, until it goes to someone else', async () => {
    const hub = hubOf([reassigned, defect, photo, entry]);
    const { handovers, released } = await planHandovers([change(reassigned)], hub, new Map([[INSPECTION, 'bob']]), new Map());
    assert.deepEqual(handovers, []);
    assert.deepEqual(released, []);
    assert.equal(
      hub.asked.some((ask) => ask.startsWith('defects')),
      false,
    );
    // Back to alice (bob's records went to her), then to bob again: what alice wrote meanwhile goes to him.
    const again = await planHandovers([change(reassigned)], hub, new Map([[INSPECTION, 'alice']]), new Map());
    assert.deepEqual(again.gathered, [[INSPECTION, 'bob']]);
    assert.equal(again.handovers[0]?.leaves.size, 3);
  });

  test('a merge of the reassigned inspection, already gathered, is released again but gathers nothing', async () => {
    const merged: HubRecord = { ...reassigned, _rev: '4-m', mergedFrom: ['3-i', '3-a'] };
    const hub = hubOf([merged, defect, photo, entry]);
    const { handovers, released } = await planHandovers([change(merged, ['4-m', '4-t'])], hub, new Map([[INSPECTION, 'bob']]), new Map());
    assert.deepEqual(handovers, []);
    assert.deepEqual(released, [{ from: 'alice', inspectionId: INSPECTION, revs: ['4-m', '4-t'] }]);
  });

  test('a later change of a record is handed over by itself, found through its defect and inspection', async () => {
    const hub = hubOf([reassigned, defect]);
    const { handovers, gathered } = await planHandovers([change(photo), change(entry, ['1-a'])], hub, new Map(), new Map());
    assert.deepEqual(plain(handovers), [{ to: 'bob', leaves: { [photo._id]: ['1-p'], [entry._id]: ['1-a'] } }]);
    assert.deepEqual(gathered, []);
  });

  test('a deletion of another’s defect is handed over too (the tombstone keeps its fields)', async () => {
    const hub = hubOf([reassigned]);
    const deleted = { ...defect, _rev: '2-x', _deleted: true, updatedBy: 'alice' };
    const { handovers } = await planHandovers([change(deleted)], hub, new Map(), new Map());
    assert.deepEqual(plain(handovers), [{ to: 'bob', leaves: { [defect._id]: ['2-x'] } }]);
  });

  test('nothing is handed over for what the owner wrote (its one leaf), for inspections, or for records without an inspection', async () => {
    const orphan = { ...defect, _id: 'defect:4', inspectionId: 'inspection:gone' };
    const editedByBob = { ...defect, _conflicts: undefined, updatedBy: 'bob' };
    const bobsEntry = { ...entry, _id: 'audit:defect:2:t:d:r', docId: bobsDefect._id, user: 'bob' };
    const hub = hubOf([reassigned]);
    const { handovers, released } = await planHandovers(
      [change(bobsDefect), change(orphan), change(editedByBob), change(bobsEntry)],
      hub,
      new Map(),
      new Map(),
    );
    assert.deepEqual(handovers, []);
    assert.deepEqual(released, []);
  });

  test('what others change on an inspection never reassigned goes to its owner (its assignee, or its creator when it has none), with every leaf; so does a photo', async () => {
    const alices: HubRecord = { _id: 'inspection:2', _rev: '2-i', type: 'inspection', createdBy: 'alice', updatedBy: 'sam' };
    const assigned: HubRecord = { _id: 'inspection:3', _rev: '1-i', type: 'inspection', createdBy: 'sam', assignedTo: 'bob' };
    const decided = { ...defect, _id: 'defect:5', _conflicts: undefined, inspectionId: alices._id, updatedBy: 'sam' };
    const conflicted = { ...defect, _id: 'defect:6', inspectionId: alices._id };
    const samsEntry = { ...entry, _id: 'audit:defect:7:t:d:r', docId: 'defect:7', user: 'sam' };
    const bobs = { ...bobsDefect, _id: 'defect:7', inspectionId: assigned._id };
    const shared = { ...photo, _id: 'photo:defect:7:a.jpg', _rev: '2-p', defectId: bobs._id, createdBy: 'bob' };
    const hub = hubOf([alices, assigned, bobs]);
    const { handovers, released, gathered } = await planHandovers(
      [change(alices), change(decided), change(conflicted, ['1-d', '1-e']), change(samsEntry), change(shared)],
      hub,
      new Map(),
      new Map(),
    );
    assert.deepEqual(plain(handovers), [
      { to: 'alice', leaves: { [decided._id]: [decided._rev], [conflicted._id]: ['1-d', '1-e'] } },
      { to: 'bob', leaves: { [samsEntry._id]: ['1-a'], [shared._id]: ['2-p'] } },
    ]);
    assert.deepEqual(released, []);
    assert.deepEqual(gathered, []);
  });

  test('a record’s defect and inspection, once seen in the hub’s changes or looked up, are not looked up again', async () => {
    const hub = hubOf([reassigned, defect]);
    const parents = new Map<string, HubRecord>();
    await planHandovers([change(photo)], hub, new Map(), parents);
    assert.deepEqual(hub.asked, [`docs ${defect._id}`, `docs ${INSPECTION}`]);

    hub.asked.length = 0;
    const { handovers } = await planHandovers([change(entry)], hub, new Map(), parents);
    assert.deepEqual(plain(handovers), [{ to: 'bob', leaves: { [entry._id]: ['1-a'] } }]);
    assert.deepEqual(hub.asked, []);

    // The hub's changes tell a reassignment: the next record goes to the new assignee, still without a look-up.
    const toCarol = { ...reassigned, _rev: '4-i', assignedTo: 'carol', unassignedFrom: 'bob' };
    await planHandovers([change(toCarol)], hubOf([toCarol, defect, photo]), new Map([[INSPECTION, 'carol']]), parents);
    const later = await planHandovers([change({ ...photo, _rev: '2-p' })], hub, new Map(), parents);
    assert.deepEqual(plain(later.handovers), [{ to: 'carol', leaves: { [photo._id]: ['2-p'] } }]);
    assert.deepEqual(hub.asked, []);

    // A deleted defect is forgotten: its photo's next change looks it up, and, gone, hands nothing over.
    await planHandovers([change({ ...defect, _rev: '2-x', _deleted: true })], hub, new Map(), parents);
    const orphaned = await planHandovers([change({ ...photo, _rev: '3-p' })], hubOf([toCarol]), new Map(), parents);
    assert.deepEqual(orphaned.handovers, []);
  });

  test('a defect not seen before, changed by someone else than the owner, brings its photos and entries, which came before it', async () => {
    const hub = hubOf([reassigned, defect, photo, entry]);
    const { handovers } = await planHandovers([change(defect, ['1-d', '1-e'])], hub, new Map(), new Map());
    assert.deepEqual(plain(handovers), [
      { to: 'bob', leaves: { [defect._id]: ['1-d', '1-e'], [entry._id]: ['1-a'], [photo._id]: ['1-p'] } },
    ]);
    // Seen before, its photos and entries went with their own changes.
    const seen = await planHandovers([change(defect, ['1-d', '1-e'])], hub, new Map(), new Map([[defect._id, defect]]));
    assert.deepEqual(plain(seen.handovers), [{ to: 'bob', leaves: { [defect._id]: ['1-d', '1-e'] } }]);
  });

  test('an inspection not seen before, assigned by someone else, brings its entries, which came before it; its owner’s own brings none', async () => {
    const assignment: HubRecord = {
      _id: INSPECTION,
      _rev: '1-s',
      type: 'inspection',
      createdBy: 'sam',
      updatedBy: 'sam',
      assignedTo: 'alice',
    };
    const created: HubRecord = { _id: `audit:${INSPECTION}:t:d:r`, _rev: '1-c', type: 'audit', docId: INSPECTION, user: 'sam' };
    const { handovers } = await planHandovers([change(assignment)], hubOf([assignment, created]), new Map(), new Map());
    assert.deepEqual(plain(handovers), [{ to: 'alice', leaves: { [created._id]: ['1-c'] } }]);
    const own = { ...assignment, createdBy: 'alice', updatedBy: 'alice', assignedTo: undefined };
    const mine = await planHandovers([change(own)], hubOf([own, created]), new Map(), new Map());
    assert.deepEqual(mine.handovers, []);
  });

  test('reassigned again before its first change was read: each one it was taken from gets the latest revision that took it from them', async () => {
    const toBob = { ...reassigned, _rev: '2-b' };
    const backToAlice = { ...reassigned, _rev: '3-a', assignedTo: 'alice', unassignedFrom: 'bob' };
    const toCarol = { ...reassigned, _rev: '4-c', assignedTo: 'carol', unassignedFrom: 'alice' };
    const hub = hubOf([toCarol], [backToAlice, toBob]);
    const { released } = await planHandovers([change(toCarol)], hub, new Map(), new Map());
    assert.deepEqual(released, [
      { from: 'alice', inspectionId: INSPECTION, revs: ['4-c'] },
      { from: 'bob', inspectionId: INSPECTION, revs: ['3-a'] },
    ]);
    // Back with alice: she is not told it went elsewhere.
    const again = await planHandovers([change(backToAlice)], hubOf([backToAlice], [toBob]), new Map(), new Map());
    assert.deepEqual(again.released, [{ from: 'bob', inspectionId: INSPECTION, revs: ['3-a'] }]);
  });

  test('a parent the hub does not hold is asked for once per batch', async () => {
    const hub = hubOf([]);
    const early = { ...photo, defectId: 'defect:not-yet' };
    assert.deepEqual((await planHandovers([change(early)], hub, new Map(), new Map())).handovers, []);
    assert.deepEqual(hub.asked, ['docs defect:not-yet']);
  });
});
