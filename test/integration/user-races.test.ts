import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import type { CouchAdmin } from '../../couch/couch-admin';
import { adminOnly, membersOnly } from '../../couch/security';
import { isServerAdmin, removeServerAdmin } from '../../couch/server-admins';
import { setServerAdmin } from '../support/server-admin';
import { userAccounts } from '../../couch/user-accounts';
import { fieldbookUserOf, getUser } from '../../couch/user-docs';
import { addUser, disableUser, enableUser, removeUser, setRole } from '../../couch/users';
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
const configAdminDelete = (name: string) => new RegExp(`^DELETE (_node/[^/]+/)?_config/admins/${name}$`);
/** What CouchDB itself answers to the name and password: the roles, or the status of a refusal. */
const couchLogin = async (name: string, password = TEST_PASSWORD) => {
  const response = await fetch(`${stack.couch.url}/_session`, { headers: { authorization: basicAuth(name, password) } });
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
  console.log('promotion:', await settled(setRole(promoting, name, 'admin')));
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
    console.log('promotion:', await settled(setRole(promoting, 'rex', 'admin')));
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

/**
 * Once CouchDB's password hasher did what it was asked so far: it hashes the admin entries
 * written plain one request after another, so a later one hashed means the earlier ones are done.
 */
async function untilPasswordsHashed(): Promise<void> {
  if (stack.couch.kind !== 'couchdb') return;
  await setServerAdmin(stack.admin, 'hasher-barrier', TEST_PASSWORD);
  await removeServerAdmin(stack.admin, 'hasher-barrier');
}

describe('an enable and a disable of one admin at once', () => {
  /** The server admin entry is there exactly while the stored login is an enabled admin; an enabled one logs in as server admin. */
  async function assertEntryMatchesLogin(name: string, password: string): Promise<boolean> {
    const { disabled } = fieldbookUserOf((await getUser(stack.admin, name))!);
    assert.equal(
      await isServerAdmin(stack.admin, name),
      !disabled,
      disabled ? 'a disabled login is no server admin' : 'an enabled admin is one',
    );
    if (!disabled)
      assert.ok(((await couchLogin(name, password)) as string[]).includes('_admin'), 'the enabled admin logs in as server admin');
    return disabled;
  }

  test('an enable saved while a disabling removes the entry keeps the enabled admin their server admin entry', async () => {
    await addUser(stack.admin, 'eli', TEST_PASSWORD, 'admin');
    let enabling: Promise<string> | undefined;
    // The disabling has saved the login and is about to remove the entry: the enable runs whole then.
    const disabling = pausedCouch(stack.admin, async (call) => {
      if (!enabling && configAdminDelete('eli').test(call)) await (enabling = settled(enableUser(stack.admin, 'eli', 'eli-enabled-1')));
    });
    console.log('disabling:', await settled(disableUser(disabling, 'eli')));
    assert.ok(enabling, 'the enable ran inside the disabling');
    console.log('enabling:', await enabling);
    assert.equal(await assertEntryMatchesLogin('eli', 'eli-enabled-1'), false, 'the enable, saved last, stands');
  });

  test('a disabling saved while an enable writes the entry leaves no server admin behind', async () => {
    await addUser(stack.admin, 'ian', TEST_PASSWORD, 'admin');
    await disableUser(stack.admin, 'ian');
    let disabling: Promise<string> | undefined;
    // The enable has saved the login and is about to write the entry: the disabling runs whole then.
    const enabling = pausedCouch(stack.admin, async (call) => {
      if (!disabling && configAdminPut('ian').test(call)) await (disabling = settled(disableUser(stack.admin, 'ian')));
    });
    console.log('enabling:', await settled(enableUser(enabling, 'ian', 'ian-enabled-1')));
    assert.ok(disabling, 'the disabling ran inside the enable');
    console.log('disabling:', await disabling);
    assert.equal(await assertEntryMatchesLogin('ian', 'ian-enabled-1'), true, 'the disabling, saved last, stands');
    assert.equal(await couchLogin('ian', 'ian-enabled-1'), 401);
  });

  test("a disabling saved while the enable's entry is being written leaves no server admin behind, also once it is hashed", async () => {
    await addUser(stack.admin, 'una', TEST_PASSWORD, 'admin');
    await disableUser(stack.admin, 'una');
    let wrote = false;
    let disabling: Promise<string> | undefined;
    // Right after the enable wrote the entry. Had it written a password, CouchDB would hash it in the background: waited for below.
    const enabling = pausedCouch(stack.admin, async (call) => {
      if (!wrote) wrote = configAdminPut('una').test(call);
      else if (!disabling) await (disabling = settled(disableUser(stack.admin, 'una')));
    });
    console.log('enabling:', await settled(enableUser(enabling, 'una', 'una-enabled-1')));
    assert.ok(disabling, 'the disabling ran inside the enable');
    console.log('disabling:', await disabling);
    await untilPasswordsHashed();
    assert.equal(await assertEntryMatchesLogin('una', 'una-enabled-1'), true, 'the disabling, saved last, stands');
    assert.equal(await couchLogin('una', 'una-enabled-1'), 401);
  });

  test('fired at once through the admin API, again and again, the entry always follows the login', async () => {
    await addUser(stack.admin, 'ora', TEST_PASSWORD, 'admin');
    const ada = await loginCookie(stack.proxy.url, 'ada');
    const byAda = (method: string, path: string, body?: unknown) => call(stack.proxy.url, ada, method, path, body);
    for (let round = 0; round < 6; round++) {
      const password = `ora-enabled-${round}`;
      // Each round starts disabled; either may reach the login first.
      const [first, second] = [byAda('POST', '/ora/disable'), byAda('POST', '/ora/enable', { password })];
      const statuses = [(await first).status, (await second).status];
      assert.ok(
        statuses.every((status) => status === 200 || status === 409),
        `round ${round}: ${statuses}`,
      );
      await assertEntryMatchesLogin('ora', password);
      if (!fieldbookUserOf((await getUser(stack.admin, 'ora'))!).disabled) assert.equal((await byAda('POST', '/ora/disable')).status, 200);
    }
  });
});

describe("a login's databases and jobs after changes racing each other", () => {
  /** What the stored login's role opens, and nothing else: its databases' security and its replication jobs. */
  async function assertAccessFollows(name: string, role: 'inspector' | 'supervisor' | 'partner'): Promise<void> {
    assert.equal((await getUser(stack.admin, name))?.fieldbook_role, role, 'the role saved last stands');
    const personal = role !== 'partner';
    assert.deepEqual(
      [
        await hasReplicationJob(stack.admin, `fanin-${name}`),
        await hasReplicationJob(stack.admin, `assign-${name}`),
        await hasReplicationJob(stack.admin, `partner-${name}`),
      ],
      [personal, personal, !personal],
      'the jobs are those of the role saved last',
    );
    assert.deepEqual(
      await stack.admin.request({ path: `${personal ? userDbName(name) : partnerDbName(name)}/_security` }),
      membersOnly([name]),
      'the database of the role saved last is open to them',
    );
  }
  /** What their tablet's sync meets: their own database, through the proxy. */
  const ownDbStatus = async (name: string) =>
    (await fetch(`${stack.proxy.url}/db/${userDbName(name)}`, { headers: { cookie: await loginCookie(stack.proxy.url, name) } })).status;

  test('a role change saved while another one provisions: the databases and jobs are those of the role saved last', async () => {
    await addUser(stack.admin, 'ria', TEST_PASSWORD, 'inspector');
    let back: Promise<string> | undefined;
    // The change to partner has saved the login and is opening the partner database: the change back runs whole then.
    const toPartner = pausedCouch(stack.admin, async (call) => {
      if (!back && call === `GET ${partnerDbName('ria')}/_security`) await (back = settled(setRole(stack.admin, 'ria', 'inspector')));
    });
    console.log('to partner:', await settled(setRole(toPartner, 'ria', 'partner')));
    assert.ok(back, 'the change back ran inside the change to partner');
    console.log('back to inspector:', await back);
    await assertAccessFollows('ria', 'inspector');
    assert.equal(await ownDbStatus('ria'), 200);
  });

  test('a removal refused because another admin changed the login meanwhile leaves the login its databases and jobs', async () => {
    await addUser(stack.admin, 'ron', TEST_PASSWORD, 'inspector');
    let read = false;
    let change: Promise<string> | undefined;
    // The removal has read the login and is about to close its access: a role change runs whole then.
    const removing = pausedCouch(stack.admin, async (call) => {
      if (call === 'get _users') read = true;
      else if (read && !change) await (change = settled(setRole(stack.admin, 'ron', 'supervisor')));
    });
    const removal = await settled(removeUser(removing, 'ron'));
    console.log('removal:', removal);
    assert.ok(change, 'the role change ran inside the removal');
    assert.equal(removal, USER_REASONS.changedMeanwhile('ron'), 'the removal is refused, not saved over the change');
    await assertAccessFollows('ron', 'supervisor');
    assert.equal(await ownDbStatus('ron'), 200);
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

describe('an add that fails while it provisions', () => {
  test("is finished by the admin's next change of the login from the admin API", async () => {
    // Once the login is saved, the server fails every time her database is to be opened to her.
    let saved = false;
    const failing = pausedCouch(stack.admin, async (call) => {
      if (call === 'insert _users') saved = true;
      else if (saved && call === `GET ${userDbName('nia')}/_security`)
        throw Object.assign(new Error('simulated failure of the database server'), { statusCode: 500 });
    });
    await assert.rejects(addUser(failing, 'nia', TEST_PASSWORD, 'inspector'), /simulated failure/);
    assert.notEqual(await getUser(stack.admin, 'nia'), null, 'the login was saved: the Users tab lists her');

    // What the admin can do then: a new password, as for any login that does not work.
    const ada = await loginCookie(stack.proxy.url, 'ada');
    const reset = await call(stack.proxy.url, ada, 'PUT', '/nia/password', { password: 'nia-pass-2' });
    assert.equal(reset.status, 200, reset.body.reason);
    assert.deepEqual([await hasReplicationJob(stack.admin, 'fanin-nia'), await hasReplicationJob(stack.admin, 'assign-nia')], [true, true]);
    assert.deepEqual(await stack.admin.request({ path: `${userDbName('nia')}/_security` }), membersOnly(['nia']));
    const nia = await loginCookie(stack.proxy.url, 'nia', 'nia-pass-2');
    assert.equal((await fetch(`${stack.proxy.url}/db/${userDbName('nia')}`, { headers: { cookie: nia } })).status, 200, 'she syncs');
  });
});

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

  /** Bea's call of the admin API, with ada's call run whole after bea's route found the login and before her change reads it. */
  async function afterBeaFoundIt(ada: () => Promise<Answer>, bea: (url: string) => Promise<Answer>): Promise<[Answer, Answer]> {
    let reads = 0;
    let adaAnswer: Promise<Answer> | undefined;
    const paused = pausedCouch(stack.admin, async (c) => {
      if (c === 'get _users' && ++reads === 2) await (adaAnswer = ada());
    });
    let beaAnswer!: Answer;
    await asBea(paused, async (url) => {
      beaAnswer = await bea(url);
    });
    assert.ok(adaAnswer, "ada's call ran inside bea's");
    return [await adaAnswer, beaAnswer];
  }

  test('enabling one login: the later enable is refused, not saved over the first', async () => {
    await addUser(stack.admin, 'lou', TEST_PASSWORD, 'inspector');
    await disableUser(stack.admin, 'lou');
    const [ada, bea] = await afterBeaFoundIt(
      () => byAda('POST', '/lou/enable', { password: 'ada-told-lou' }),
      (url) => call(url, null, 'POST', '/lou/enable', { password: 'bea-told-lou' }),
    );
    assert.equal(ada.status, 200);
    assert.deepEqual([bea.status, bea.body.reason], [409, USER_REASONS.notDisabled('lou')]);
    assert.equal((await postLogin(stack.proxy.url, 'lou', 'ada-told-lou')).status, 200);
    assert.equal((await postLogin(stack.proxy.url, 'lou', 'bea-told-lou')).status, 401);
  });

  test('removing one login twice at once: the later removal is told there is no such user, a 404', async () => {
    await addUser(stack.admin, 'ned', TEST_PASSWORD, 'inspector');
    const [ada, bea] = await afterBeaFoundIt(
      () => byAda('DELETE', '/ned'),
      (url) => call(url, null, 'DELETE', '/ned'),
    );
    assert.equal(ada.status, 200);
    assert.deepEqual([bea.status, bea.body.reason], [404, USER_REASONS.missing('ned')]);
  });

  test('a new password for a login another admin disabled meanwhile is a 409 that says so', async () => {
    await addUser(stack.admin, 'ody', TEST_PASSWORD, 'inspector');
    const [ada, bea] = await afterBeaFoundIt(
      () => byAda('POST', '/ody/disable'),
      (url) => call(url, null, 'PUT', '/ody/password', { password: 'bea-told-ody' }),
    );
    assert.equal(ada.status, 200);
    assert.deepEqual([bea.status, bea.body.reason], [409, USER_REASONS.disabled('ody')]);
    assert.equal((await postLogin(stack.proxy.url, 'ody', 'bea-told-ody')).status, 401);
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
