import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HUB_DB, partnerDbName } from '../../domain/db-names';
import { PHOTO_ATTACHMENT, newPhotoDoc } from '../../domain/photo-doc';
import { userDbName } from '../../domain/user-db-name';
import { PULL_OPTIONS, PUSH_OPTIONS } from '../../src/app/core/replication-options';
import { defect, inspection } from '../fixtures/documents';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { waitFor } from '../support/fixtures';
import { localDb, remoteDb } from '../support/node-pouch';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', sam: 'supervisor', acme: 'partner' });
});
after(() => stack?.stop());

/** `name`'s database on the server through the proxy, as their tablet reaches it. */
async function throughProxy(name: string, dbName: string) {
  return remoteDb(`${stack.proxy.url}/db/${dbName}`, { cookie: await loginCookie(stack.proxy.url, name) });
}

const has = (db: { get(id: string): Promise<unknown> }, id: string) =>
  db.get(id).then(
    () => true,
    () => false,
  );

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 0xff, 0xd9]);

describe('photos on demand', () => {
  test("a full-size photo document reaches the server, the hub (the supervisor reads it there) and a partner it is shared with, and another tablet's pull leaves it out until opened", async () => {
    const inspected = inspection('alice', { title: 'Boiler house' });
    const withPhoto = defect('alice', inspected._id, {
      _attachments: { 'thumb-0001-a.jpg': { content_type: 'image/jpeg', data: JPEG.subarray(0, 4).toString('base64') } },
    });
    const photo = newPhotoDoc(
      { defectId: withPhoto._id, createdBy: 'alice', createdAt: new Date().toISOString(), deviceId: 'tablet-a' },
      '0001-a.jpg',
      {
        content_type: 'image/jpeg',
        data: JPEG.toString('base64'),
      },
    );

    // Tablet A pushes as the app does.
    const tabletA = localDb('tablet-a');
    const alice = await throughProxy('alice', userDbName('alice'));
    await tabletA.bulkDocs([inspected, photo, withPhoto] as PouchDB.Core.PutDocument<object>[]);
    await tabletA.replicate.to(alice, PUSH_OPTIONS);
    assert.equal(await has(stack.admin.use(userDbName('alice')), photo._id), true);

    // The fan-in job copies it to the hub, where the supervisor's review reads it.
    await waitFor(() => has(stack.admin.use(HUB_DB), photo._id), 60_000, 'the photo in the hub');
    const hub = await throughProxy('sam', HUB_DB);
    assert.deepEqual(Buffer.from((await hub.getAttachment(photo._id, PHOTO_ATTACHMENT)) as Buffer), JPEG);

    // Shared with a partner (the review gives the photo its defect's partners), it reaches them too.
    const inHub = await hub.get(photo._id);
    await hub.put({ ...inHub, partners: ['acme'] });
    await waitFor(() => has(stack.admin.use(partnerDbName('acme')), photo._id), 60_000, 'the photo in the partner database');

    // Tablet B pulls with the app's options: the defect and its thumbnail, not the photo.
    const tabletB = localDb('tablet-b');
    await tabletB.replicate.from(alice, PULL_OPTIONS);
    assert.equal(await has(tabletB, withPhoto._id), true);
    assert.deepEqual(Object.keys((await tabletB.get(withPhoto._id))._attachments ?? {}), ['thumb-0001-a.jpg']);
    assert.equal(await has(tabletB, photo._id), false);

    // Opened, it is fetched as the app fetches it, and stored as that same revision.
    const fetched = await alice.get(photo._id, { revs: true, attachments: true, binary: true });
    await tabletB.bulkDocs([fetched], { new_edits: false });
    assert.equal((await tabletB.get(photo._id))._rev, (await stack.admin.use(userDbName('alice')).get(photo._id))._rev);
    assert.deepEqual(Buffer.from((await tabletB.getAttachment(photo._id, PHOTO_ATTACHMENT)) as Buffer), JPEG);

    for (const db of [tabletA, tabletB]) await db.destroy();
  });

  test('the server refuses a change to a photo, and a photo claiming someone else took it', async () => {
    const alice = await throughProxy('alice', userDbName('alice'));
    const defectId = `defect:${crypto.randomUUID()}`;
    const image = { content_type: 'image/jpeg', data: JPEG.toString('base64') };
    const own = newPhotoDoc({ defectId, createdBy: 'alice', createdAt: new Date().toISOString(), deviceId: 'tablet-a' }, 'own.jpg', image);
    const { rev } = await alice.put(own as PouchDB.Core.PutDocument<object>);
    await assert.rejects(alice.put({ ...own, _rev: rev, deviceId: 'tablet-b' } as PouchDB.Core.PutDocument<object>), { status: 403 });
    const forged = newPhotoDoc(
      { defectId, createdBy: 'sam', createdAt: new Date().toISOString(), deviceId: 'tablet-a' },
      'forged.jpg',
      image,
    );
    await assert.rejects(alice.put(forged as PouchDB.Core.PutDocument<object>), { status: 403 });
  });
});
