import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { bootstrap } from '../../couch/bootstrap';
import { HUB_DB } from '../../domain/db-names';
import { userDbName } from '../../domain/user-db-name';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { auditEntry } from '../../domain/audit-entry';
import { newPhotoDoc, PHOTO_ATTACHMENT } from '../../domain/photo-doc';
import { checklistItem, defect, inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { startLiveSync } from '../support/live-sync';
import { metricValue } from '../support/metric-value';
import { toldItWentElsewhere } from '../../proxy/hub-records';
import { localDb, remoteDb } from '../support/node-pouch';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', bob: 'inspector', sam: 'supervisor' });
});
after(() => stack?.stop());

/** A device of `name` live-syncing `dbName` through the proxy with a session cookie. */
async function deviceOf(name: string, dbName: string) {
  const device = localDb(name);
  const remote = remoteDb(`${stack.proxy.url}/db/${dbName}`, { cookie: await loginCookie(stack.proxy.url, name) });
  const live = startLiveSync(device, remote);
  return {
    device,
    sync: live.sync,
    async close() {
      await live.stop();
      await device.destroy();
    },
  };
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

const has = (db: { get(id: string): Promise<unknown> }, id: string) =>
  db.get(id).then(
    () => true,
    () => false,
  );

/** The revision `db` holds of `id`, or undefined while it holds none. */
const revIn = (db: { get(id: string): Promise<{ _rev: string }> }, id: string) =>
  db.get(id).then(
    (doc) => doc._rev,
    () => undefined,
  );

describe('the hub: assignments and approval', () => {
  // The "within 5 s" is printed, not asserted: a fresh CouchDB starts new replication
  // jobs on its scheduler's time, and a shared CI machine is no stopwatch.
  test('a supervisor’s assignment reaches the assignee’s database and tablet, and no other inspector’s', async () => {
    const alice = await deviceOf('alice', userDbName('alice'));
    const sam = await deviceOf('sam', HUB_DB);
    try {
      const assignment = inspection('sam', { title: 'Assigned roof check', assignedTo: 'alice' });
      const started = Date.now();
      await sam.device.put(assignment);
      await waitFor(() => has(alice.device, assignment._id), 60_000, 'the assignment on alice’s tablet');
      const elapsed = Date.now() - started;
      console.log(`assignment on the assignee's tablet after ${elapsed} ms`);
      assert.equal(await has(stack.admin.use(userDbName('alice')), assignment._id), true);
      // An assignment for bob made after it reaches bob's database; the hub's changes reach a
      // job in order, so a wrong replication would have delivered alice's by then.
      const marker = inspection('sam', { title: 'Assigned ladder check', assignedTo: 'bob' });
      await sam.device.put(marker);
      await waitFor(() => has(stack.admin.use(userDbName('bob')), marker._id), 60_000, 'the later assignment in bob’s database');
      assert.equal(await has(stack.admin.use(userDbName('bob')), assignment._id), false);
    } finally {
      await Promise.all([alice.close(), sam.close()]);
    }
  });

  test('an inspection reaches the hub; the approval reaches the inspector; their later edit is refused', async () => {
    const alice = await deviceOf('alice', userDbName('alice'));
    const sam = await deviceOf('sam', HUB_DB);
    const denied: { direction: string; doc: { reason: string } }[] = [];
    alice.sync.on('denied', (error) => denied.push(error as never));
    try {
      // Submitting needs every checklist item answered (domain/doc-rules.ts).
      const submitted = inspection('alice', { title: 'Boiler room', status: 'submitted', checklist: [checklistItem('c1', 'pass')] });
      const started = Date.now();
      await alice.device.put(submitted);
      await waitFor(() => has(sam.device, submitted._id), 60_000, 'the inspection on the supervisor’s device, via the hub');
      console.log(`inspection on the supervisor's device after ${Date.now() - started} ms`);
      assert.equal(await has(stack.admin.use(HUB_DB), submitted._id), true);

      const inHub = await sam.device.get<Record<string, unknown>>(submitted._id);
      await sam.device.put({
        ...inHub,
        status: 'approved',
        reviewComment: 'All valves checked.',
        updatedBy: 'sam',
        updatedAt: new Date().toISOString(),
      });
      const approved = await waitFor(
        async () => {
          const doc = await alice.device.get<Record<string, unknown>>(submitted._id);
          return doc['status'] === 'approved' && doc;
        },
        60_000,
        'the approval on alice’s tablet',
      );
      assert.equal(approved['reviewComment'], 'All valves checked.');

      const reason = 'status: an approved inspection can only be changed by a supervisor';
      await alice.device.put({ ...approved, title: 'Changed after approval', updatedBy: 'alice', updatedAt: new Date().toISOString() });
      await waitFor(async () => denied.length > 0, 60_000, 'the server to refuse the edit');
      assert.equal(denied[0].doc.reason, reason);
      const onServer = (await stack.admin.use(userDbName('alice')).get(submitted._id)) as unknown as Record<string, unknown>;
      assert.equal(onServer['title'], 'Boiler room');

      // The same refusal for a direct write through the proxy, CouchDB style.
      const response = await fetch(`${stack.proxy.url}/db/${userDbName('alice')}/${encodeURIComponent(submitted._id)}`, {
        method: 'PUT',
        headers: { cookie: await loginCookie(stack.proxy.url, 'alice'), 'content-type': 'application/json' },
        body: JSON.stringify({ ...onServer, title: 'Changed again', updatedBy: 'alice' }),
      });
      assert.equal(response.status, 403);
      assert.deepEqual(await response.json(), { error: 'forbidden', reason });
    } finally {
      await Promise.all([alice.close(), sam.close()]);
    }
  });

  test('a reassignment reaches the database and tablet of the inspector it was taken from, and the new assignee’s', async () => {
    const alice = await deviceOf('alice', userDbName('alice'));
    try {
      const hub = stack.admin.use<Record<string, unknown>>(HUB_DB);
      const assignment = inspection('sam', { title: 'Reassigned roof check', assignedTo: 'alice' });
      await hub.insert(assignment as never);
      await waitFor(() => has(alice.device, assignment._id), 60_000, 'the assignment on alice’s tablet');

      const current = await hub.get(assignment._id);
      const now = new Date().toISOString();
      await hub.insert({ ...current, assignedTo: 'bob', unassignedFrom: 'alice', updatedBy: 'sam', updatedAt: now } as never);
      // By the ordinary pull: alice's tablet sees that it is no longer hers.
      const moved = await waitFor(
        async () => {
          const doc = await alice.device.get<Record<string, unknown>>(assignment._id);
          return doc['assignedTo'] === 'bob' && doc;
        },
        60_000,
        'the reassignment on alice’s tablet',
      );
      assert.equal(moved['unassignedFrom'], 'alice');
      await waitFor(() => has(stack.admin.use(userDbName('bob')), assignment._id), 60_000, 'the inspection in bob’s database');

      // Alice cannot make it hers again, nor name someone else to receive it.
      const cookie = await loginCookie(stack.proxy.url, 'alice');
      const put = (body: Record<string, unknown>) =>
        fetch(`${stack.proxy.url}/db/${userDbName('alice')}/${encodeURIComponent(assignment._id)}`, {
          method: 'PUT',
          headers: { cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ ...moved, updatedBy: 'alice', updatedAt: new Date().toISOString(), ...body }),
        });
      const takenBack = await put({ assignedTo: 'alice' });
      assert.equal(takenBack.status, 403);
      assert.match(((await takenBack.json()) as { reason: string }).reason, /^assignedTo: only a supervisor may assign inspections/);
      const redirected = await put({ unassignedFrom: 'bob' });
      assert.equal(redirected.status, 403);
      assert.equal(((await redirected.json()) as { reason: string }).reason, 'unassignedFrom: only a supervisor may reassign inspections');
    } finally {
      await alice.close();
    }
  });

  test('a reassigned inspection’s defects, photos and history reach the new assignee, and so do their later changes', async () => {
    const alice = await deviceOf('alice', userDbName('alice'));
    const hub = stack.admin.use<Record<string, unknown>>(HUB_DB);
    const bobDb = stack.admin.use<Record<string, unknown>>(userDbName('bob'));
    try {
      const assignment = inspection('sam', { title: 'Handed-over roof check', assignedTo: 'alice' });
      await hub.insert(assignment as never);
      await waitFor(() => has(alice.device, assignment._id), 60_000, 'the assignment on alice’s tablet');

      // Alice's work on it, as her tablet writes it: a defect with its entry, its full-size photo.
      const found = defect('alice', assignment._id, { title: 'Cracked tile' });
      const entry = auditEntry({ before: null, after: found, stamp: found }, 'r1');
      const image = { content_type: 'image/jpeg', data: JPEG.toString('base64') };
      const photo = newPhotoDoc(
        { defectId: found._id, createdBy: 'alice', createdAt: found.createdAt, deviceId: 'tablet-a' },
        '0001.jpg',
        image,
      );
      // And a defect of an inspection of her own, which is nobody else's business.
      const own = inspection('alice', { title: 'Own shed check', assignedTo: 'alice' });
      const ownDefect = defect('alice', own._id);
      await alice.device.bulkDocs([found, entry, photo, own, ownDefect] as never[]);
      const hers = [found._id, entry._id, photo._id];
      const holdsAll = (db: typeof hub) => async () => (await Promise.all(hers.map((id) => has(db, id)))).every(Boolean);
      // All of it in the hub first, so the reassignment's own change is what hands it over.
      await waitFor(holdsAll(hub), 60_000, 'alice’s work in the hub');

      const current = await hub.get(assignment._id);
      await hub.insert({
        ...current,
        assignedTo: 'bob',
        unassignedFrom: 'alice',
        updatedBy: 'sam',
        updatedAt: new Date().toISOString(),
      } as never);
      await waitFor(holdsAll(bobDb), 60_000, 'alice’s work in bob’s database');
      // The same revisions as the hub's, not copies that would conflict with them.
      for (const id of hers) assert.equal((await bobDb.get(id))._rev, (await hub.get(id))._rev, id);
      assert.deepEqual(Buffer.from(await bobDb.attachment.get(photo._id, PHOTO_ATTACHMENT)), JPEG);

      // What alice's tablet pushes after the reassignment, and a supervisor's change of her defect, follow.
      const late = defect('alice', assignment._id, { title: 'Found on the way out' });
      await alice.device.put(late);
      await waitFor(() => has(bobDb, late._id), 60_000, 'alice’s late defect in bob’s database');
      const reviewed = await hub.get(found._id);
      const { rev } = await hub.insert({ ...reviewed, severity: 5, updatedBy: 'sam', updatedAt: new Date().toISOString() } as never);
      await waitFor(async () => (await bobDb.get(found._id))._rev === rev, 60_000, 'the supervisor’s change in bob’s database');
      // The hub's changes are handed over in order: alice's own defect, written before, stayed hers.
      assert.equal(await has(bobDb, ownDefect._id), false);
      // Counted for operators: the three gathered, the late defect, the supervisor's change.
      const copied = await metricValue(stack.proxy.metrics, 'fieldbook_handover_revisions_total');
      assert.ok(copied >= 5, `revisions handed over: ${copied}`);
    } finally {
      await alice.close();
    }
  });

  test('an inspection taken from an inspector reaches their database once: its later changes, and those of their records of it, stay away', async () => {
    const alice = await deviceOf('alice', userDbName('alice'));
    const hub = stack.admin.use<Record<string, unknown>>(HUB_DB);
    const aliceDb = stack.admin.use<Record<string, unknown>>(userDbName('alice'));
    const bobDb = stack.admin.use<Record<string, unknown>>(userDbName('bob'));
    const edit = async (id: string, fields: Record<string, unknown>) =>
      (await hub.insert({ ...(await hub.get(id)), ...fields, updatedBy: 'sam', updatedAt: new Date().toISOString() } as never)).rev;
    try {
      const assignment = inspection('sam', { title: 'Taken-away roof check', assignedTo: 'alice' });
      await hub.insert(assignment as never);
      await waitFor(() => has(alice.device, assignment._id), 60_000, 'the assignment on alice’s tablet');
      const found = defect('alice', assignment._id, { title: 'Loose flashing' });
      // And an inspection of her own, never reassigned, with a defect.
      const own = inspection('alice', { title: 'Own shed check' });
      const ownDefect = defect('alice', own._id);
      await alice.device.bulkDocs([found, own, ownDefect] as never[]);
      await waitFor(async () => (await has(hub, found._id)) && has(hub, ownDefect._id), 60_000, 'alice’s work in the hub');

      const reassigning = await edit(assignment._id, { assignedTo: 'bob', unassignedFrom: 'alice' });
      await waitFor(async () => (await revIn(aliceDb, assignment._id)) === reassigning, 60_000, 'the reassignment in alice’s database');
      const aliceRevOfDefect = (await aliceDb.get(found._id))._rev;

      // Later: the supervisor's notes on the inspection and change of alice's defect of it.
      const noted = await edit(assignment._id, { notes: 'Bring the long ladder.' });
      const changed = await edit(found._id, { severity: 5 });
      await waitFor(async () => (await revIn(bobDb, found._id)) === changed, 60_000, 'the supervisor’s change in bob’s database');
      // Written after them and bound for alice by the same two ways (her job, the proxy's hub
      // work), which handle the hub's changes in order: once these arrive, the others would have.
      const marker = inspection('sam', { title: 'Next assignment', assignedTo: 'alice' });
      await hub.insert(marker as never);
      const decided = await edit(ownDefect._id, { severity: 4 });
      await waitFor(() => has(aliceDb, marker._id), 60_000, 'the next assignment in alice’s database');
      await waitFor(async () => (await revIn(aliceDb, ownDefect._id)) === decided, 60_000, 'the supervisor’s change of her own defect');

      assert.equal((await aliceDb.get(assignment._id))._rev, reassigning);
      assert.equal((await aliceDb.get(found._id))._rev, aliceRevOfDefect);
      await waitFor(async () => (await revIn(bobDb, assignment._id)) === noted, 60_000, 'the notes in bob’s database');
      // What a restarted proxy reads before telling her again: told, so the notes would stay away.
      assert.equal(await toldItWentElsewhere(stack.admin, 'alice', assignment._id), true);
      assert.equal(await toldItWentElsewhere(stack.admin, 'alice', own._id), false);
      assert.equal(await toldItWentElsewhere(stack.admin, 'bob', own._id), false);
    } finally {
      await alice.close();
    }
  });

  test('the bootstrap leaves running jobs alone, and the jobs survive a server restart', async () => {
    const jobRevs = async () => {
      const { rows } = await stack.admin.use('_replicator').list();
      return Object.fromEntries(rows.filter((row) => !row.id.startsWith('_design/')).map((row) => [row.id, row.value.rev]));
    };
    const before = await jobRevs();
    assert.deepEqual(Object.keys(before).sort(), ['assign-alice', 'assign-bob', 'assign-sam', 'fanin-alice', 'fanin-bob', 'fanin-sam']);
    await bootstrap(stack.admin, { sessionTimeoutSeconds: 30 * 24 * 3600 });
    assert.deepEqual(await jobRevs(), before);

    await stack.restartCouch();
    const assignment = inspection('sam', { title: 'After a restart', assignedTo: 'bob' });
    await stack.admin.use(HUB_DB).insert(assignment as never);
    // CouchDB's scheduler starts jobs with up to 5 s of jitter after a restart.
    await waitFor(() => has(stack.admin.use(userDbName('bob')), assignment._id), 60_000, 'the assignment in bob’s database');
  });

  test('only supervisors and admins reach the hub through the proxy; their session names it', async () => {
    const sam = await loginCookie(stack.proxy.url, 'sam');
    const alice = await loginCookie(stack.proxy.url, 'alice');
    assert.equal((await fetch(`${stack.proxy.url}/db/${HUB_DB}`, { headers: { cookie: sam } })).status, 200);
    const refused = await fetch(`${stack.proxy.url}/db/${HUB_DB}`, { headers: { cookie: alice } });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: string }).error, 'forbidden');
    const session = (await (await fetch(`${stack.proxy.url}/api/session`, { headers: { cookie: sam } })).json()) as { hub?: string };
    assert.equal(session.hub, HUB_DB);
  });

  test('an inspector cannot direct an assignment to someone else through the fan-in', async () => {
    const response = await fetch(`${stack.proxy.url}/db/${userDbName('alice')}/inspection:${randomUUID()}`, {
      method: 'PUT',
      headers: { cookie: await loginCookie(stack.proxy.url, 'alice'), 'content-type': 'application/json' },
      body: JSON.stringify({ ...inspection('alice', { assignedTo: 'bob' }), _id: undefined }),
    });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { reason: string }).reason, 'assignedTo: only a supervisor may assign inspections');
  });
});
