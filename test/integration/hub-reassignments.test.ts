import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditEntry } from '../../domain/audit-entry';
import { HUB_DB } from '../../domain/db-names';
import { newPhotoDoc, PHOTO_ATTACHMENT } from '../../domain/photo-doc';
import { userDbName } from '../../domain/user-db-name';
import { HUB_WORK_CHECKPOINT_ID } from '../../proxy/hub-work';
import { toldItWentElsewhere } from '../../proxy/hub-records';
import { defect, inspection } from '../fixtures/documents';
import { startTestStack, type TestStack } from '../support/couch-harness';
import { waitFor } from '../support/fixtures';
import { seqNumber } from '../support/seq-number';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', bob: 'inspector', carol: 'inspector', sam: 'supervisor' });
});
after(() => stack?.stop());

const hub = () => stack.admin.use<Record<string, unknown>>(HUB_DB);
const userDb = (name: string) => stack.admin.use<Record<string, unknown>>(userDbName(name));
type Db = ReturnType<typeof hub>;

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 5, 6, 7, 8, 0xff, 0xd9]);

const has = (db: Db, id: string) =>
  db.get(id).then(
    () => true,
    () => false,
  );

const revIn = (db: Db, id: string) =>
  db.get(id).then(
    (doc) => doc._rev,
    () => undefined,
  );

/** A supervisor's change of a hub document, as the review page writes it; its new revision. */
async function edit(id: string, fields: Record<string, unknown>): Promise<string> {
  const current = await hub().get(id);
  return (await hub().insert({ ...current, ...fields, updatedBy: 'sam', updatedAt: new Date().toISOString() })).rev;
}

/** Waits until the proxy's hub work has handled every change the hub holds now (its checkpoint is past them). */
async function hubWorkCaughtUp(): Promise<void> {
  const target = seqNumber((await hub().info()).update_seq);
  await waitFor(
    async () => {
      // None before the hub work's first round ends.
      const checkpoint = await hub()
        .get(HUB_WORK_CHECKPOINT_ID)
        .catch(() => ({ seq: 0 }));
      return seqNumber((checkpoint as unknown as { seq: unknown }).seq) >= target;
    },
    60_000,
    'the hub work past the hub’s changes',
  );
}

/** An inspection assigned to `to` in the hub, once their database holds it. */
async function assignedTo(to: string, title: string) {
  const assignment = inspection('sam', { title, assignedTo: to });
  await hub().insert(assignment);
  await waitFor(() => has(userDb(to), assignment._id), 60_000, `the assignment in ${to}’s database`);
  return assignment;
}

describe('the hub work: reassignments', () => {
  test('a new defect’s photo and history entry that reach the hub before the defect still reach the new assignee with it', async () => {
    const assignment = await assignedTo('alice', 'Late photo roof check');
    const reassigning = await edit(assignment._id, { assignedTo: 'bob', unassignedFrom: 'alice' });
    await waitFor(
      async () => (await revIn(userDb('alice'), assignment._id)) === reassigning,
      60_000,
      'the reassignment in alice’s database',
    );

    // Alice's tablet, offline at the reassignment, pushes a new defect: the photo and the entry
    // come before the defect (the writer's order) and, here, in an earlier batch.
    const found = defect('alice', assignment._id, { title: 'Cracked skylight' });
    const entry = auditEntry({ before: null, after: found, stamp: found }, 'late1');
    const photo = newPhotoDoc({ defectId: found._id, createdBy: 'alice', createdAt: found.createdAt, deviceId: 'tablet-a' }, '0001.jpg', {
      content_type: 'image/jpeg',
      data: JPEG.toString('base64'),
    });
    await userDb('alice').bulk({ docs: [entry, photo] });
    await waitFor(async () => (await has(hub(), photo._id)) && has(hub(), entry._id), 60_000, 'the photo and entry in the hub');
    await hubWorkCaughtUp();
    await userDb('alice').insert(found);
    await waitFor(() => has(userDb('bob'), found._id), 60_000, 'the late defect in bob’s database');
    await hubWorkCaughtUp();

    assert.equal(await has(userDb('bob'), photo._id), true, 'the full-size photo in bob’s database');
    assert.deepEqual(Buffer.from(await userDb('bob').attachment.get(photo._id, PHOTO_ATTACHMENT)), JPEG);
    assert.equal(await has(userDb('bob'), entry._id), true, 'the defect’s history entry in bob’s database');
  });

  test('a supervisor’s new assignment whose history entry reaches the hub before it: the entry still reaches the assignee', async () => {
    const assignment = inspection('sam', { title: 'Entry-first boiler check', assignedTo: 'alice' });
    const entry = auditEntry({ before: null, after: assignment, stamp: assignment }, 'first1');
    // The writer's order, and on a sharded CouchDB the feed's may split them into two batches.
    await hub().bulk({ docs: [entry] });
    await hubWorkCaughtUp();
    await hub().insert(assignment);
    await waitFor(() => has(userDb('alice'), assignment._id), 60_000, 'the assignment in alice’s database');
    await hubWorkCaughtUp();
    assert.equal(await has(userDb('alice'), entry._id), true, 'the creation entry in alice’s database');
  });

  test('an offline edit racing a reassignment: the hub merges the two, so the reassignment is not hidden behind the edit', async () => {
    const assignment = await assignedTo('alice', 'Racing roof check');
    const first = (await hub().get(assignment._id)) as unknown as { _rev: string };
    await edit(assignment._id, { assignedTo: 'bob', unassignedFrom: 'alice' });
    // Alice's tablet edited the first revision offline and pushes it now. Its revision id sorts
    // after the reassignment's, so it wins and the hub shows the inspection as hers.
    const hash = 'f'.repeat(32);
    const offline = {
      ...assignment,
      title: 'Racing roof check, north side',
      updatedBy: 'alice',
      updatedAt: new Date().toISOString(),
      _rev: `2-${hash}`,
      _revisions: { start: 2, ids: [hash, first._rev.split('-')[1]] },
    };
    await userDb('alice').bulk({ docs: [offline], new_edits: false });

    await waitFor(
      async () => {
        const doc = (await hub().get(assignment._id, { conflicts: true })) as unknown as { _conflicts?: string[]; mergedFrom?: string[] };
        return !!doc.mergedFrom?.includes(offline._rev) && !doc._conflicts;
      },
      60_000,
      'the hub’s inspection merged',
    );
    const merged = (await hub().get(assignment._id)) as unknown as { title: string; assignedTo: string; unassignedFrom: string };
    assert.deepEqual([merged.title, merged.assignedTo, merged.unassignedFrom], ['Racing roof check, north side', 'bob', 'alice']);
    await waitFor(
      async () => (await revIn(userDb('bob'), assignment._id)) !== undefined,
      60_000,
      'the merged inspection in bob’s database',
    );
    await waitFor(() => toldItWentElsewhere(stack.admin, 'alice', assignment._id), 60_000, 'alice’s database told it went to bob');
  });

  test('reassigned twice while the proxy was down (alice → bob → carol): alice’s database is told it went elsewhere', async () => {
    const assignment = await assignedTo('alice', 'Twice reassigned roof check');
    let toCarol = '';
    await stack.restartProxy(async () => {
      await edit(assignment._id, { assignedTo: 'bob', unassignedFrom: 'alice' });
      toCarol = await edit(assignment._id, { assignedTo: 'carol', unassignedFrom: 'bob' });
    });
    await waitFor(async () => (await revIn(userDb('bob'), assignment._id)) === toCarol, 60_000, 'the reassignment in bob’s database');
    await waitFor(() => has(userDb('carol'), assignment._id), 60_000, 'the inspection in carol’s database');
    await hubWorkCaughtUp();

    // Her tablet lets it go only when her database holds a revision that takes it from her.
    const hers = (await userDb('alice').get(assignment._id)) as unknown as { assignedTo?: string; unassignedFrom?: string };
    assert.equal(hers.unassignedFrom, 'alice', `alice's database holds it assigned to ${hers.assignedTo}`);
    assert.equal(await toldItWentElsewhere(stack.admin, 'alice', assignment._id), true);
    // Bob is told too, and carol has it as hers.
    assert.equal(await toldItWentElsewhere(stack.admin, 'bob', assignment._id), true);
    assert.equal(await toldItWentElsewhere(stack.admin, 'carol', assignment._id), false);
  });
});
