import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { userDbName } from '../../domain/user-db-name';
import { basicAuth, loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { fakeJpeg } from '../support/fixtures';
import { localDb, remoteDb } from '../support/node-pouch';

let stack: TestStack;
let aliceUrl: string;
before(async () => {
  stack = await startTestStack();
  aliceUrl = `${stack.proxy.url}/db/${userDbName('alice')}`;
});
after(() => stack?.stop());

/** All non-design docs of a database with their revision, by id. */
async function revisions(db: {
  allDocs?: PouchDB.Database['allDocs'];
  list?: () => Promise<{ rows: { id: string; value: { rev: string } }[] }>;
}) {
  const { rows } = await (db.allDocs ? db.allDocs() : db.list!());
  return new Map(rows.filter((row) => !row.id.startsWith('_design/')).map((row) => [row.id, row.value.rev]));
}

describe('replication through the proxy', () => {
  for (const auth of ['basic', 'cookie'] as const) {
    test(`1,000 docs with 200 KB JPEGs go up and come back (${auth} auth)`, async () => {
      const header = auth === 'basic' ? { authorization: basicAuth('alice') } : { cookie: await loginCookie(stack.proxy.url, 'alice') };
      const remote = remoteDb(aliceUrl, header);
      const device = localDb();
      const photos = new Map<string, Buffer>();
      const docs = Array.from({ length: 1000 }, (_, index) => {
        const doc: Record<string, unknown> = inspection('alice', { title: `Inspection ${auth} ${index}` });
        if (index % 100 === 0) {
          const photo = fakeJpeg(200 * 1024);
          photos.set(doc['_id'] as string, photo);
          doc['_attachments'] = { 'photo.jpg': { content_type: 'image/jpeg', data: photo } };
        }
        return doc;
      });
      await device.bulkDocs(docs);

      const push = await device.replicate.to(remote);
      assert.equal(push.ok, true);
      assert.equal(push.docs_written, 1000);
      assert.deepEqual(push.errors, []);

      const onServer = await revisions(stack.admin.use(userDbName('alice')));
      const onDevice = await revisions(device);
      for (const [id, rev] of onDevice) assert.equal(onServer.get(id), rev, `server holds ${id} at ${rev}`);
      for (const [id, photo] of photos) {
        const stored = await stack.admin.use(userDbName('alice')).attachment.get(id, 'photo.jpg');
        assert.ok(photo.equals(stored), `attachment of ${id} is byte-identical`);
      }

      const second = localDb();
      const pull = await second.replicate.from(remote);
      assert.equal(pull.ok, true);
      const pulled = await revisions(second);
      for (const [id, rev] of onDevice) assert.equal(pulled.get(id), rev);
      for (const [id, photo] of photos) {
        const blob = (await second.getAttachment(id, 'photo.jpg')) as Buffer;
        assert.ok(photo.equals(blob));
      }
      await Promise.all([device.destroy(), second.destroy()]);
    });
  }

  test('edits and deletions made on a device replace the server revision', async () => {
    const device = localDb();
    const remote = remoteDb(aliceUrl, { authorization: basicAuth('alice') });
    const doc = inspection('alice', { title: 'First' });
    const gone = inspection('alice', { title: 'To delete' });
    await device.bulkDocs([doc, gone]);
    await device.replicate.to(remote);
    const stored = await device.get(doc._id);
    await device.put({ ...stored, title: 'Edited on the tablet', updatedAt: new Date().toISOString() });
    await device.remove(await device.get(gone._id));
    const push = await device.replicate.to(remote);
    assert.equal(push.docs_written, 2);
    const server = stack.admin.use(userDbName('alice'));
    const onServer = (await server.get(doc._id)) as unknown as { _rev: string; title: string };
    assert.equal(onServer.title, 'Edited on the tablet');
    assert.equal(onServer._rev, (await device.get(doc._id))._rev);
    await assert.rejects(server.get(gone._id), { statusCode: 404 });
    await device.destroy();
  });

  test('validation refusals are 403 forbidden with the rule, and replication reports them as denied', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    const invalid = inspection('alice', { title: '' });
    const response = await fetch(`${aliceUrl}/${encodeURIComponent(invalid._id)}`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(invalid),
    });
    assert.equal(response.status, 403);
    assert.deepEqual(await response.json(), { error: 'forbidden', reason: 'title: is required' });

    const device = localDb();
    const impostor = inspection('bob');
    const fine = inspection('alice');
    await device.bulkDocs([impostor, invalid, fine]);
    const denied: { id: string; reason?: string; message?: string }[] = [];
    const result = await device.replicate.to(remoteDb(aliceUrl, { cookie })).on('denied', (error) => denied.push(error as never));
    assert.equal(result.docs_written, 1);
    assert.deepEqual(
      denied.map((error) => [error.id, error.message ?? error.reason]).sort(),
      [
        [impostor._id, 'createdBy: must be your own user name'],
        [invalid._id, 'title: is required'],
      ].sort(),
    );
    await assert.rejects(stack.admin.use(userDbName('alice')).get(impostor._id), { statusCode: 404 });
    await device.destroy();
  });
});
