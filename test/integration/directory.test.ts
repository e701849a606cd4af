import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addUser, disableUser } from '../../couch/users';
import { TEST_PASSWORD, basicAuth, loginCookie, startTestStack, type TestStack } from '../support/couch-harness';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({
    alice: 'inspector',
    bob: 'inspector',
    sam: 'supervisor',
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
});
