import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setArchiveDays } from '../../couch/app-settings';
import { SETTINGS_DB } from '../../domain/archive-settings';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector' });
});
after(() => stack?.stop());

const settingsAs = (headers: Record<string, string> = {}, method = 'GET') => fetch(`${stack.proxy.url}/api/settings`, { method, headers });

describe('the archive period: set by an admin, read by every signed-in user', () => {
  test('30 days until an admin sets another period; then that one', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    const first = await settingsAs({ cookie });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await first.json(), { archiveDays: 30 });

    await setArchiveDays(stack.admin, 45);
    assert.deepEqual(await (await settingsAs({ cookie })).json(), { archiveDays: 45 });
  });

  test('read-only, for signed-in users only, and the database itself is closed to them', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    assert.equal((await settingsAs()).status, 401);
    assert.equal((await settingsAs({ cookie }, 'PUT')).status, 404);
    const direct = await fetch(`${stack.proxy.url}/db/${SETTINGS_DB}/settings`, { headers: { cookie } });
    assert.equal(direct.status, 403);
    await assert.rejects(setArchiveDays(stack.admin, -2), /whole number/);
  });
});
