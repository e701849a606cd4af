import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readAppSettings, setArchiveDays } from '../../couch/app-settings';
import { DEFAULT_ARCHIVE_DAYS, SETTINGS_DB } from '../../domain/archive-settings';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', ada: 'admin' });
});
after(() => stack?.stop());

const settingsAs = (headers: Record<string, string> = {}, method = 'GET') => fetch(`${stack.proxy.url}/api/settings`, { method, headers });

/** `PUT /api/admin/settings` as the holder of `cookie` (none: anonymous), with `body` as JSON (a string as it is). */
async function putSettings(cookie: string | null, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${stack.proxy.url}/api/admin/settings`, {
    method: 'PUT',
    headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the archive period: set by an admin, read by every signed-in user', () => {
  test('30 days until an admin sets another period; then that one', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    const first = await settingsAs({ cookie });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await first.json(), { archiveDays: DEFAULT_ARCHIVE_DAYS });

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

  test('an admin sets it from the app; every signed-in user then reads the new period', async () => {
    const ada = await loginCookie(stack.proxy.url, 'ada');
    const set = await putSettings(ada, { archiveDays: 7 });
    assert.equal(set.status, 200);
    assert.deepEqual(set.body, { archiveDays: 7 });
    assert.deepEqual(await readAppSettings(stack.admin), { archiveDays: 7 });
    const alice = await loginCookie(stack.proxy.url, 'alice');
    assert.deepEqual(await (await settingsAs({ cookie: alice })).json(), { archiveDays: 7 });
    // 0: an approved inspection leaves the tablets as soon as it has synced.
    assert.deepEqual((await putSettings(ada, { archiveDays: 0 })).body, { archiveDays: 0 });
  });

  test('nobody else may change it, and a bad period is refused with a reason, changing nothing', async () => {
    await setArchiveDays(stack.admin, 60);
    const alice = await loginCookie(stack.proxy.url, 'alice');
    assert.equal((await putSettings(null, { archiveDays: 1 })).status, 401);
    const refused = await putSettings(alice, { archiveDays: 1 });
    assert.equal(refused.status, 403);
    assert.equal(refused.body['error'], 'forbidden');

    const ada = await loginCookie(stack.proxy.url, 'ada');
    for (const body of [{ archiveDays: -1 }, { archiveDays: 2.5 }, { archiveDays: '30' }, { archiveDays: 3651 }, {}, [30]]) {
      const answer = await putSettings(ada, body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body['error'], 'bad_request');
      assert.match(String(answer.body['reason']), /archiveDays/);
    }
    for (const broken of ['{"archiveDays": ', 'null']) {
      const answer = await putSettings(ada, broken);
      assert.equal(answer.status, 400, broken);
      assert.equal(answer.body['error'], 'bad_request');
    }
    assert.deepEqual(await readAppSettings(stack.admin), { archiveDays: 60 });
  });
});
