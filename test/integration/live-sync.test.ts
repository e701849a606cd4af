import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { userDbName } from '../../domain/user-db-name';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { inspection, waitFor } from '../support/fixtures';
import { localDb, remoteDb } from '../support/node-pouch';

let stack: TestStack;
before(async () => {
  stack = await startTestStack();
});
after(() => stack.stop());

test('a live sync delivers a server change within 2 s and survives a proxy restart', async () => {
  const device = localDb();
  const remote = remoteDb(`${stack.proxy.url}/db/${userDbName('alice')}`, { cookie: await loginCookie(stack.proxy.url, 'alice') }, { keepAlive: false });
  const sync = device.sync(remote, { live: true, retry: true, back_off_function: () => 200 });
  // Tracked continuously: a `paused` that fired before someone waits for it still counts.
  let paused = false;
  sync.on('paused', () => (paused = true)).on('active', () => (paused = false));
  const idle = async () => {
    await waitFor(async () => paused, 10_000, 'replication to be idle');
    await new Promise((resolve) => setTimeout(resolve, 200));
  };
  try {
    await idle();
    const server = stack.admin.use(userDbName('alice'));
    const arrives = async (doc: { _id: string }) => {
      const started = Date.now();
      await server.insert(doc as never);
      await waitFor(() => device.get(doc._id).then(() => true, () => false), 10_000, `${doc._id} on the device`);
      return Date.now() - started;
    };
    const first = await arrives(inspection('alice', { title: 'Before restart' }));
    assert.ok(first < 2000, `first change took ${first} ms`);

    // PouchDB 9 asks the source for `info()` after each batch without handling a failure;
    // restart while replication is idle so that request is not the one cut.
    await idle();
    await stack.restartProxy();
    const second = await arrives(inspection('alice', { title: 'After restart' }));
    assert.ok(second < 10_000, `after restart the change took ${second} ms`);

    const fromDevice = inspection('alice', { title: 'From the device' });
    await device.put(fromDevice);
    await waitFor(() => server.get(fromDevice._id).then(() => true, () => false), 10_000, 'device change on the server');
    await idle();
  } finally {
    const complete = new Promise((resolve) => sync.once('complete', resolve));
    sync.cancel();
    await complete;
    await device.destroy();
  }
});
