import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import type { CouchAdmin } from '../../couch/couch-admin';
import { adminOnly } from '../../couch/security';
import { isServerAdmin } from '../../couch/server-admins';
import { userAccounts } from '../../couch/user-accounts';
import { getUser } from '../../couch/user-docs';
import { addUser, disableUser, removeUser, setRole } from '../../couch/users';
import { partnerDbName } from '../../domain/db-names';
import { USER_REASONS } from '../../domain/api-reasons';
import { userDbName } from '../../domain/user-db-name';
import type { Authenticator } from '../../proxy/authenticate';
import { userAdminRoutes } from '../../proxy/user-admin-routes';
import { basicAuth, loginCookie, postLogin, startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { waitFor } from '../support/fixtures';
import { pausedCouch } from '../support/paused-couch';
import { hasReplicationJob } from '../support/replication-job';

/*
 * Two admins changing one login at once, and changes failing halfway. Each race is made to
 * run in one harmful order by pausing one change at a chosen call (pausedCouch), never by timing.
 */

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ ada: 'admin' });
});
after(() => stack?.stop());

const configAdminPut = (name: string) => new RegExp(`^PUT (_node/[^/]+/)?_config/admins/${name}$`);
/** What CouchDB itself answers to the name and password: the roles, or the status of a refusal. */
const couchLogin = async (name: string) => {
  const response = await fetch(`${stack.couch.url}/_session`, { headers: { authorization: basicAuth(name) } });
  return response.ok ? ((await response.json()) as { userCtx: { roles: string[] } }).userCtx.roles : response.status;
};
/** Whatever the racing change itself answered: what counts is what stays. */
const settled = (change: Promise<unknown>) =>
  change.then(
    () => 'done',
    (error: Error) => error.message,
  );

async function assertRemoved(name: string): Promise<void> {
  assert.equal(await getUser(stack.admin, name), null, 'the login is gone');
  assert.equal(await isServerAdmin(stack.admin, name), false, 'no server admin entry is left behind');
  // CouchDB's login cache lets a removed login in a moment longer (never as server admin: checked above).
  await waitFor(async () => (await couchLogin(name)) === 401, 10_000, `CouchDB to refuse ${name}`);
  assert.equal((await postLogin(stack.proxy.url, name, TEST_PASSWORD)).status, 401);
  assert.deepEqual(
    [await hasReplicationJob(stack.admin, `fanin-${name}`), await hasReplicationJob(stack.admin, `assign-${name}`)],
    [false, false],
  );
  assert.deepEqual(await stack.admin.request({ path: `${userDbName(name)}/_security` }), adminOnly());
}

/** Promotes `name` to admin with `change` run whole where the promotion writes the server admin entry; fails if it never got there. */
async function insidePromotion(name: string, change: () => Promise<void>): Promise<void> {
  let changing: Promise<void> | undefined;
  const promoting = pausedCouch(stack.admin, async (call) => {
    if (!changing && configAdminPut(name).test(call)) await (changing = change());
  });
  console.log('promotion:', await settled(setRole(promoting, name, 'admin', TEST_PASSWORD)));
  assert.ok(changing, 'the change ran inside the promotion');
}

describe('changes to one login racing each other', () => {
  test('a removal landing inside a promotion leaves no server admin behind', async () => {
    await addUser(stack.admin, 'sue', TEST_PASSWORD, 'supervisor');
    await insidePromotion('sue', () => removeUser(stack.admin, 'sue'));
    await assertRemoved('sue');
  });

  test('a removal that deletes the login after a promotion wrote its server admin entry leaves none behind', async () => {
    await addUser(stack.admin, 'rex', TEST_PASSWORD, 'supervisor');
    // The removal reads the promoted login and closes its access, the promotion then writes
    // its server admin entry and finishes, and only then does the removal delete the login.
    let atDelete!: () => void;
    const removalAtDelete = new Promise<void>((resolve) => (atDelete = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const removing = pausedCouch(stack.admin, async (call) => {
      if (call === 'destroy _users') {
        atDelete();
        await released;
      }
    });
    let removal: Promise<string> | undefined;
    const promoting = pausedCouch(stack.admin, async (call) => {
      if (removal || !configAdminPut('rex').test(call)) return;
      removal = settled(removeUser(removing, 'rex'));
      // The old order (the entry before the login's save) never reaches the delete: go on then too.
      await Promise.race([removalAtDelete, removal]);
    });
    console.log('promotion:', await settled(setRole(promoting, 'rex', 'admin', TEST_PASSWORD)));
    release();
    console.log('removal:', await removal);
    await assertRemoved('rex');
  });

  test('a disabling landing inside a promotion leaves no server admin behind', async () => {
    await addUser(stack.admin, 'dee', TEST_PASSWORD, 'supervisor');
    await insidePromotion('dee', () => disableUser(stack.admin, 'dee'));
    assert.equal((await getUser(stack.admin, 'dee'))?.fieldbook_disabled, true);
    assert.equal(await isServerAdmin(stack.admin, 'dee'), false, 'a disabled login is no server admin');
    assert.equal(await couchLogin('dee'), 401, 'her old password no longer logs her in');
    const listed = (await (
      await fetch(`${stack.proxy.url}/api/admin/users`, { headers: { cookie: await loginCookie(stack.proxy.url, 'ada') } })
    ).json()) as { name: string; disabled: boolean }[];
    assert.equal(listed.find((user) => user.name === 'dee')?.disabled, true, 'the Users tab shows her disabled');
  });
});

describe('a removal that fails halfway', () => {
  test('is finished by running it again, from the admin API', async () => {
    await addUser(stack.admin, 'pat', TEST_PASSWORD, 'partner');
    // The server fails once while the replication jobs are removed.
    let failed = false;
    const flaky = pausedCouch(stack.admin, async (call) => {
      if (!failed && call === 'get _replicator') {
        failed = true;
        throw Object.assign(new Error('simulated failure of the database server'), { statusCode: 500 });
      }
    });
    await assert.rejects(removeUser(flaky, 'pat'), /simulated failure/);
    assert.ok(failed);
    assert.notEqual(await getUser(stack.admin, 'pat'), null, 'the login stays, so the removal can be named again');

    const ada = await loginCookie(stack.proxy.url, 'ada');
    const again = await fetch(`${stack.proxy.url}/api/admin/users/pat`, { method: 'DELETE', headers: { cookie: ada } });
    assert.equal(again.status, 200, await again.text());
    assert.equal(await getUser(stack.admin, 'pat'), null);
    assert.equal(await hasReplicationJob(stack.admin, 'partner-pat'), false, 'the job no longer copies hub data to the partner');
    assert.deepEqual(await stack.admin.request({ path: `${partnerDbName('pat')}/_security` }), adminOnly());
    await waitFor(async () => (await couchLogin('pat')) === 401, 10_000, 'CouchDB to refuse pat');
  });
});

interface Answer {
  status: number;
  body: { reason?: string };
}

/** A call of the admin API: the proxy's at `base` as the holder of `cookie`, or bea's (no cookie). */
async function call(base: string, cookie: string | null, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${base}/api/admin/users${path}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** The admin API's routes as a second admin, bea, whose changes go through `couch` (paused where the race needs). */
async function asBea(couch: CouchAdmin, work: (url: string) => Promise<void>): Promise<void> {
  const bea = { kind: 'basic', caller: { name: 'bea', roles: ['admin'] }, authorization: '' };
  const authenticator = { identify: async () => bea } as unknown as Authenticator;
  const app = express().use(
    '/api/admin/users',
    userAdminRoutes({ admins: { authenticator, isCurrentAdmin: async () => true }, accounts: userAccounts(couch), answerMs: 30_000 }),
  );
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await work(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

describe('two admins at the admin API at once', () => {
  let ada: string;
  before(async () => {
    ada = await loginCookie(stack.proxy.url, 'ada');
  });
  const byAda = (method: string, path: string, body?: unknown) => call(stack.proxy.url, ada, method, path, body);

  test('adding one name: the later add is told it exists, not saved over the first', async () => {
    let adaAdded: Promise<Answer> | undefined;
    // Once bea's add has found the name free, ada adds it.
    const paused = pausedCouch(stack.admin, async (c) => {
      if (!adaAdded && /^GET (_node\/[^/]+\/)?_config\/admins\/kim$/.test(c))
        await (adaAdded = byAda('POST', '', { name: 'kim', role: 'inspector', password: 'ada-told-kim' }));
    });
    await asBea(paused, async (bea) => {
      const added = await call(bea, null, 'POST', '', { name: 'kim', role: 'admin', password: 'bea-told-kim' });
      assert.equal((await adaAdded)?.status, 201);
      assert.deepEqual([added.status, added.body.reason], [409, USER_REASONS.exists('kim')]);
    });
    assert.equal((await getUser(stack.admin, 'kim'))?.fieldbook_role, 'inspector');
    assert.equal(await isServerAdmin(stack.admin, 'kim'), false);
    assert.equal((await postLogin(stack.proxy.url, 'kim', 'ada-told-kim')).status, 200);
    assert.equal((await postLogin(stack.proxy.url, 'kim', 'bea-told-kim')).status, 401);
  });

  test('enabling one login: the later enable is refused, not saved over the first', async () => {
    await addUser(stack.admin, 'lou', TEST_PASSWORD, 'inspector');
    await disableUser(stack.admin, 'lou');
    let reads = 0;
    let adaEnabled: Promise<Answer> | undefined;
    // After bea's route found lou disabled, before the enable reads the login.
    const paused = pausedCouch(stack.admin, async (c) => {
      if (c === 'get _users' && ++reads === 2) await (adaEnabled = byAda('POST', '/lou/enable', { password: 'ada-told-lou' }));
    });
    await asBea(paused, async (bea) => {
      const enabled = await call(bea, null, 'POST', '/lou/enable', { password: 'bea-told-lou' });
      assert.equal((await adaEnabled)?.status, 200);
      assert.deepEqual([enabled.status, enabled.body.reason], [409, USER_REASONS.notDisabled('lou')]);
    });
    assert.equal((await postLogin(stack.proxy.url, 'lou', 'ada-told-lou')).status, 200);
    assert.equal((await postLogin(stack.proxy.url, 'lou', 'bea-told-lou')).status, 401);
  });

  test('a change saved over by another admin meanwhile is a 409 that says so, and changes nothing', async () => {
    await addUser(stack.admin, 'max', TEST_PASSWORD, 'inspector');
    let adaReset: Promise<Answer> | undefined;
    // Between bea's read of the login and her save of it.
    const paused = pausedCouch(stack.admin, async (c) => {
      if (!adaReset && c === 'insert _users') await (adaReset = byAda('PUT', '/max/password', { password: 'ada-told-max' }));
    });
    await asBea(paused, async (bea) => {
      const changed = await call(bea, null, 'PUT', '/max/role', { role: 'supervisor' });
      assert.equal((await adaReset)?.status, 200);
      assert.deepEqual([changed.status, changed.body.reason], [409, USER_REASONS.changedMeanwhile('max')]);
    });
    assert.equal((await getUser(stack.admin, 'max'))?.fieldbook_role, 'inspector');
    assert.equal((await postLogin(stack.proxy.url, 'max', 'ada-told-max')).status, 200);
  });
});
