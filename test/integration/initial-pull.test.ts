import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { userDbName } from '../../domain/user-db-name';
import { initialPull } from '../../src/app/core/initial-pull';
import { leafSnapshot } from '../../src/app/testing/leaf-snapshot';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { fakeJpeg } from '../support/fixtures';
import { localDb, remoteDb } from '../support/node-pouch';

let stack: TestStack;
let aliceUrl: string;
before(async () => {
  stack = await startTestStack({ alice: 'inspector' });
  aliceUrl = `${stack.proxy.url}/db/${userDbName('alice')}`;
});
after(() => stack?.stop());

/**
 * The app's first pull against the real server through the proxy: it must leave a device
 * exactly as PouchDB's replicator would, photos byte for byte, and hand over to it.
 */
test("a first pull through the proxy stores what PouchDB's replicator stores, and the replicator carries on from it", async () => {
  const remote = remoteDb(aliceUrl, { cookie: await loginCookie(stack.proxy.url, 'alice') });
  const tabletA = localDb();
  const photos = new Map<string, Buffer>();
  const docs = Array.from({ length: 600 }, (_, index) => {
    const doc: Record<string, unknown> = inspection('alice', { title: `Inspection ${index}` });
    if (index % 100 === 0) {
      const photo = fakeJpeg(200 * 1024);
      photos.set(doc['_id'] as string, photo);
      doc['_attachments'] = { 'photo.jpg': { content_type: 'image/jpeg', data: photo } };
    }
    return doc;
  });
  await tabletA.bulkDocs(docs);
  const [edited, deleted, conflicted] = docs.slice(1, 4).map((doc) => doc['_id'] as string);
  for (const title of ['Edited once', 'Edited twice']) await tabletA.put({ ...(await tabletA.get(edited)), title });
  await tabletA.remove(await tabletA.get(deleted));
  await tabletA.replicate.to(remote);
  // The same inspection edited on two tablets: the server keeps both.
  const tabletB = localDb();
  await tabletB.replicate.from(remote);
  await tabletA.put({ ...(await tabletA.get(conflicted)), title: 'Tablet A' });
  await tabletB.put({ ...(await tabletB.get(conflicted)), title: 'Tablet B' });
  await tabletA.replicate.to(remote);
  await tabletB.replicate.to(remote);
  assert.equal(
    ((await stack.admin.use(userDbName('alice')).get(conflicted, { conflicts: true })) as { _conflicts?: string[] })._conflicts?.length,
    1,
  );

  const fresh = localDb();
  const since = await initialPull(fresh, remote, { batchSize: 250 });
  const replicated = localDb();
  await replicated.replicate.from(remote);
  assert.deepEqual(await leafSnapshot(fresh), await leafSnapshot(replicated));
  for (const [id, photo] of photos)
    assert.ok(photo.equals((await fresh.getAttachment(id, 'photo.jpg')) as Buffer), `photo of ${id} byte-identical`);

  // The replicator from where the first pull got to brings only what is new.
  const late = inspection('alice', { title: 'Written after the first pull' });
  await tabletA.put(late);
  await tabletA.replicate.to(remote);
  const handover = await fresh.replicate.from(remote, { since } as PouchDB.Replication.ReplicateOptions);
  assert.equal(handover.docs_written, 1);
  assert.equal(((await fresh.get(late._id)) as unknown as { title: string }).title, 'Written after the first pull');
  await Promise.all([tabletA, tabletB, fresh, replicated].map((db) => db.destroy()));
});

test("a first pull stops with the server's refusal when the session is gone", async () => {
  const remote = remoteDb(aliceUrl, { cookie: 'fieldbook_session=revoked' });
  await assert.rejects(initialPull(localDb(), remote, { batchSize: 250 }), { status: 401 });
});
