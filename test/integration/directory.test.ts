import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { removeServerAdmin } from '../../couch/server-admins';
import { setServerAdmin } from '../support/server-admin';
import { getUser, type UserDoc } from '../../couch/user-docs';
import { addUser, disableUser, setRole } from '../../couch/users';
import { TEST_PASSWORD, basicAuth, loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { waitFor } from '../support/fixtures';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({
    alice: 'inspector',
    bob: 'inspector',
    sam: 'supervisor',
    sue: 'supervisor',
    stu: 'supervisor',
    ada: 'admin',
    acme: 'partner',
    globex: 'partner',
  });
});
after(() => stack?.stop());

const directoryAs = (headers: Record<string, string> = {}) => fetch(`${stack.proxy.url}/api/directory`, { headers });

describe('GET /api/directory', () => {
  test('a supervisor gets the enabled inspectors and partners by name, and nothing else of them', async () => {
    await addUser(stack.admin, 'carol', TEST_PASSWORD, 'inspector');
    await disableUser(stack.admin, 'carol');
    const response = await directoryAs({ cookie: await loginCookie(stack.proxy.url, 'sam') });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await response.json(), { inspectors: ['alice', 'bob'], partners: ['acme', 'globex'] });
  });

  test('an admin gets it too, also with Basic auth', async () => {
    const response = await directoryAs({ authorization: basicAuth('ada') });
    assert.equal(response.status, 200);
    assert.deepEqual(((await response.json()) as { partners: string[] }).partners, ['acme', 'globex']);
  });

  test('inspectors, partners and strangers are refused', async () => {
    for (const name of ['alice', 'acme']) {
      const response = await directoryAs({ cookie: await loginCookie(stack.proxy.url, name) });
      assert.equal(response.status, 403, name);
      assert.equal(((await response.json()) as { error: string }).error, 'forbidden');
    }
    const anonymous = await directoryAs();
    assert.equal(anonymous.status, 401);
    assert.deepEqual(Object.keys(await anonymous.json()).sort(), ['error', 'reason']);
  });

  // A session keeps the roles its login was given; the directory asks what the login is now.
  test('a supervisor demoted with the user tool is cut off at once: the proxy ends their sessions', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'stu');
    assert.equal((await directoryAs({ cookie })).status, 200);
    await setRole(stack.admin, 'stu', 'inspector');
    await waitFor(async () => (await directoryAs({ cookie })).status === 401, 30_000, 'the session to end');
  });

  test('a supervisor whose login was changed while no proxy ran is refused with the session they had', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'sue');
    assert.equal((await directoryAs({ cookie })).status, 200);
    // Edited as server admin, as Fauxton or curl would (the user tool also ends the sessions);
    // the proxy's watch of `_users` starts from now, so it never sees this change.
    await stack.restartProxy(async () => {
      const doc = (await getUser(stack.admin, 'sue'))!;
      await stack.admin.use<UserDoc>('_users').insert({ ...doc, roles: ['inspector'], fieldbook_role: 'inspector' });
    });
    const response = await directoryAs({ cookie });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { error: string }).error, 'forbidden');
  });

  test('a server admin of the configuration removed from it is refused with the session and credentials they had', async () => {
    await setServerAdmin(stack.admin, 'ops', TEST_PASSWORD);
    const cookie = await loginCookie(stack.proxy.url, 'ops');
    const basic = { authorization: basicAuth('ops') };
    assert.equal((await directoryAs({ cookie })).status, 200);
    assert.equal((await directoryAs(basic)).status, 200);
    // No `_users` change: nothing ends their session.
    await removeServerAdmin(stack.admin, 'ops');
    assert.equal((await directoryAs({ cookie })).status, 403);
    assert.equal((await directoryAs(basic)).status, 403);
  });
});
