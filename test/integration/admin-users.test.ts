import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { splitCredentials } from '../../couch/couch-admin';
import { isServerAdmin } from '../../couch/server-admins';
import { configPaths } from '../../couch/server-config';
import { getUser } from '../../couch/user-docs';
import { addUser } from '../../couch/users';
import { SESSION_COOKIE } from '../../proxy/authenticate';
import { SessionStore } from '../../proxy/session-store';
import { userDbName } from '../../domain/user-db-name';
import { basicAuth, loginCookie, postLogin, startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { TEST_SERVER } from '../support/test-server';

let stack: TestStack;
let ada: string;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', sam: 'supervisor', ada: 'admin', gil: 'inspector' });
  ada = await loginCookie(stack.proxy.url, 'ada');
});
after(() => stack?.stop());

interface Answer {
  status: number;
  body: { error?: string; reason?: string } & Record<string, unknown>;
}

/** A call of the admin API as the holder of `cookie` (none: anonymous). */
async function call(cookie: string | null, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${stack.proxy.url}/api/admin/users${path}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

const login = (name: string, password: string) => postLogin(stack.proxy.url, name, password);

describe('/api/admin/users', () => {
  test('only admins reach it', async () => {
    assert.equal((await call(null, 'GET', '')).status, 401);
    const alice = await loginCookie(stack.proxy.url, 'alice');
    const refused = await call(alice, 'GET', '');
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'forbidden');
    const sam = await loginCookie(stack.proxy.url, 'sam');
    assert.equal((await call(sam, 'POST', '', { name: 'mallory', role: 'admin', password: 'mallory-pw-1' })).status, 403);
    assert.equal((await login('mallory', 'mallory-pw-1')).status, 401);
    // A server admin of CouchDB's configuration has no login in `_users`, and is an admin all the same.
    const { name, password } = splitCredentials(stack.couch.adminUrl);
    const operator = await fetch(`${stack.proxy.url}/api/admin/users`, { headers: { authorization: basicAuth(name, password) } });
    assert.equal(operator.status, 200);
  });

  test('a role written into one’s own `_users` document by hand gives nothing: the role is what `roles` says', async () => {
    // A user may write any field of their own `_users` document but `roles` and `name`.
    const own = `${stack.couch.url}/_users/org.couchdb.user:gil`;
    const asGil = { authorization: basicAuth('gil'), 'content-type': 'application/json' };
    const doc = (await (await fetch(own, { headers: asGil })).json()) as Record<string, unknown>;
    const written = await fetch(own, { method: 'PUT', headers: asGil, body: JSON.stringify({ ...doc, fieldbook_role: 'admin' }) });
    // CouchDB 3.4 here keeps `_users` closed to members altogether; PouchDB Server takes the write.
    assert.equal(written.status, TEST_SERVER === 'couchdb' ? 403 : 201, await written.text());
    // Signing in at once, while the proxy asks `_users` what the login is now.
    const signedIn = await login('gil', TEST_PASSWORD);
    assert.equal(signedIn.status, 200);
    assert.deepEqual(((await signedIn.json()) as { roles: string[] }).roles, ['inspector']);
    const gil = await loginCookie(stack.proxy.url, 'gil');
    assert.equal((await call(gil, 'GET', '')).status, 403);
    const listed = (await call(ada, 'GET', '')).body as unknown as { name: string; role: string }[];
    assert.equal(listed.find((user) => user.name === 'gil')?.role, 'inspector');
  });

  test('lists every login with its role and state, and nothing of their passwords', async () => {
    const { status, body } = await call(ada, 'GET', '');
    assert.equal(status, 200);
    const users = body as unknown as { name: string; role: string; disabled: boolean }[];
    assert.deepEqual(
      users.filter((user) => ['ada', 'alice', 'gil', 'sam'].includes(user.name)),
      [
        { name: 'ada', role: 'admin', disabled: false },
        { name: 'alice', role: 'inspector', disabled: false },
        { name: 'gil', role: 'inspector', disabled: false },
        { name: 'sam', role: 'supervisor', disabled: false },
      ],
    );
    assert.doesNotMatch(JSON.stringify(users), /derived_key|salt|password/);
  });

  test('an admin adds an inspector, who logs in and reaches their own database', async () => {
    const added = await call(ada, 'POST', '', { name: 'carol', role: 'inspector', password: 'carol-pass-1' });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    const carolLogin = await login('carol', 'carol-pass-1');
    assert.equal(carolLogin.status, 200);
    const cookie = /^[^;]+/.exec(carolLogin.headers.get('set-cookie')!)![0];
    assert.equal((await fetch(`${stack.proxy.url}/db/${userDbName('carol')}`, { headers: { cookie } })).status, 200);

    const again = await call(ada, 'POST', '', { name: 'carol', role: 'supervisor', password: 'carol-pass-2' });
    assert.equal(again.status, 409);
    assert.match(again.body.reason!, /already a user "carol"/);
    assert.equal((await login('carol', 'carol-pass-1')).status, 200, 'a refused add changes nothing');
  });

  test('bad input is a 400 with a reason, and the server admin of the configuration is not a login to change', async () => {
    for (const [body, reason] of [
      [{ name: 'Carol', role: 'inspector', password: 'long-enough-1' }, /invalid user name "Carol"/i],
      [{ name: 'dan', role: 'boss', password: 'long-enough-1' }, /Send a "role"/],
      [{ name: 'dan', role: 'inspector', password: 'short' }, /at least 8 characters/],
      [{ name: 'dan', role: 'inspector' }, /A password is required/],
      [{ name: 'dan', role: 'inspector', password: '\ud800'.repeat(8) }, /valid Unicode text/],
      [{ name: 'acme.co', role: 'partner', password: 'long-enough-1' }, /invalid partner name/i],
      [{ role: 'inspector', password: 'long-enough-1' }, /"name"/],
      ['{"name": "dan",', /not valid JSON/],
      ['[1, 2]', /"name"/],
      // JSON, but no object: told what to send, not that the JSON is broken.
      ['null', /"name"/],
      ['1', /"name"/],
    ] as const) {
      const answer = await call(ada, 'POST', '', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.error, 'bad_request');
      assert.match(answer.body.reason!, reason);
    }
    assert.equal((await login('dan', 'long-enough-1')).status, 401);
    // A name in the path that does not decode is the client's mistake too.
    const undecodable = await call(ada, 'PUT', '/%zz/password', { password: 'long-enough-1' });
    assert.equal(undecodable.status, 400);
    assert.equal(undecodable.body.error, 'bad_request');

    const { name: serverAdmin } = splitCredentials(stack.couch.adminUrl);
    const taken = await call(ada, 'POST', '', { name: serverAdmin, role: 'inspector', password: 'long-enough-1' });
    assert.equal(taken.status, 403);
    assert.match(taken.body.reason!, /server admin of CouchDB's configuration/);
    // Untouched: still a server admin of the configuration, and no login of `_users`.
    assert.equal(await isServerAdmin(stack.admin, serverAdmin), true);
    assert.equal(await getUser(stack.admin, serverAdmin), null);
  });

  test('disabling cuts the user off at once; enabling needs a new password', async () => {
    const alice = await loginCookie(stack.proxy.url, 'alice');
    const aliceDb = `${stack.proxy.url}/db/${userDbName('alice')}`;
    assert.equal((await fetch(aliceDb, { headers: { cookie: alice } })).status, 200);

    assert.equal((await call(ada, 'POST', '/alice/disable')).status, 200);
    await waitFor(async () => (await fetch(aliceDb, { headers: { cookie: alice } })).status === 401, 10_000, "alice's session ended");
    assert.equal((await login('alice', TEST_PASSWORD)).status, 401);
    const listed = (await call(ada, 'GET', '')).body as unknown as { name: string; disabled: boolean }[];
    assert.equal(listed.find((user) => user.name === 'alice')!.disabled, true);

    const reset = await call(ada, 'PUT', '/alice/password', { password: 'alice-pass-2' });
    assert.equal(reset.status, 409);
    assert.match(reset.body.reason!, /disabled: enable them with a new password/);
    assert.equal((await call(ada, 'POST', '/alice/enable', {})).status, 400);
    assert.equal((await call(ada, 'POST', '/sam/enable', { password: 'sam-pass-2' })).status, 409, 'sam is not disabled');
    assert.equal((await call(ada, 'POST', '/alice/enable', { password: 'alice-pass-2' })).status, 200);
    assert.equal((await login('alice', 'alice-pass-2')).status, 200);
    assert.equal((await login('alice', TEST_PASSWORD)).status, 401);
  });

  test('a new password, and a new role: an admin makes someone an admin without their password, and back', async () => {
    assert.equal((await call(ada, 'PUT', '/gil/password', { password: 'gil-pass-2' })).status, 200);
    assert.equal((await login('gil', 'gil-pass-2')).status, 200);
    assert.equal((await login('gil', TEST_PASSWORD)).status, 401);

    const [gilConfig] = await configPaths(stack.admin, 'admins', 'gil');
    /** What gil's own password gets of CouchDB: the roles it logs in with, and whether a server admin's request succeeds. */
    const gilAtCouch = async () => {
      const asGil = { headers: { authorization: basicAuth('gil', 'gil-pass-2') } };
      const session = (await (await fetch(`${stack.couch.url}/_session`, asGil)).json()) as { userCtx: { roles: string[] } };
      return { roles: session.userCtx.roles.sort(), readsConfig: (await fetch(`${stack.couch.url}/${gilConfig}`, asGil)).ok };
    };
    const promoted = await call(ada, 'PUT', '/gil/role', { role: 'admin' });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    // Gil signs in as before, and is a server admin with that password: the entry is their login's own hash.
    const gil = await loginCookie(stack.proxy.url, 'gil', 'gil-pass-2');
    assert.equal((await call(gil, 'GET', '')).status, 200, 'gil is an admin now');
    assert.deepEqual(await gilAtCouch(), { roles: ['_admin', 'admin'], readsConfig: true });

    assert.equal((await call(ada, 'PUT', '/gil/role', { role: 'supervisor' })).status, 200);
    assert.equal(await isServerAdmin(stack.admin, 'gil'), false);
    assert.equal((await gilAtCouch()).readsConfig, false, 'no longer a server admin');
    // A password sent along is not read: it does not become theirs.
    assert.equal((await call(ada, 'PUT', '/gil/role', { role: 'admin', password: 'other-pass-3' })).status, 200);
    assert.equal((await login('gil', 'other-pass-3')).status, 401);
    assert.deepEqual(await gilAtCouch(), { roles: ['_admin', 'admin'], readsConfig: true });

    assert.equal((await call(ada, 'PUT', '/sam/role', { role: 'inspector' })).status, 200, 'no password to step down');
    const sam = await loginCookie(stack.proxy.url, 'sam');
    const session = (await (await fetch(`${stack.proxy.url}/api/session`, { headers: { cookie: sam } })).json()) as { roles: string[] };
    assert.deepEqual(session.roles, ['inspector']);
  });

  test('an admin demoted or removed is no admin to the admin API, whatever roles their session was made with', async () => {
    await addUser(stack.admin, 'hal', TEST_PASSWORD, 'admin');
    await addUser(stack.admin, 'ivo', TEST_PASSWORD, 'admin');
    const sessions = new SessionStore(stack.admin, 3600_000);
    for (const [name, change] of [
      ['hal', () => call(ada, 'PUT', '/hal/role', { role: 'inspector' })],
      ['ivo', () => call(ada, 'DELETE', '/ivo')],
    ] as const) {
      const before = await loginCookie(stack.proxy.url, name);
      assert.equal((await change()).status, 200);
      // CouchDB's login cache answers with the old roles a moment after the change (CouchDB 3.4,
      // about 300 ms): a login then, once the proxy cut the old sessions, keeps them.
      const right = await login(name, TEST_PASSWORD);
      await waitFor(
        async () => (await fetch(`${stack.proxy.url}/api/session`, { headers: { cookie: before } })).status === 401,
        10_000,
        `${name} cut off`,
      );
      const stale = `${SESSION_COOKIE}=${await sessions.create({ name, roles: ['admin'], couchCookie: 'from-the-old-roles' })}`;
      // Cut off with the others if it came before the proxy did (401), else refused.
      const loggedIn = /^[^;]+/.exec(right.headers.get('set-cookie') ?? '')?.[0] ?? null;
      const expected: [string | null, number[]][] = [
        [stale, [403]],
        [loggedIn, [401, 403]],
      ];
      for (const [cookie, refusals] of expected) {
        // The admin API acts as server admin: it must not make one for them.
        const made = await call(cookie, 'POST', '', { name: `${name}2`, role: 'admin', password: 'long-enough-1' });
        assert.ok(refusals.includes(made.status), `${made.status} ${JSON.stringify(made.body)}`);
        assert.equal(await getUser(stack.admin, `${name}2`), null);
      }
      const settings = await fetch(`${stack.proxy.url}/api/admin/settings`, {
        method: 'PUT',
        headers: { cookie: stale, 'content-type': 'application/json' },
        body: JSON.stringify({ archiveDays: 1 }),
      });
      assert.equal(settings.status, 403, 'nor do they change the settings');
      const jobs = await fetch(`${stack.proxy.url}/api/admin/replications`, { headers: { cookie: stale } });
      assert.equal(jobs.status, 403, 'nor do they read the replication jobs');
    }
  });

  test('an admin does not change their own account here, and an unknown user is a 404', async () => {
    for (const [method, path, body] of [
      ['PUT', '/ada/password', { password: 'ada-pass-2' }],
      ['PUT', '/ada/role', { role: 'inspector' }],
      ['POST', '/ada/disable', undefined],
      ['DELETE', '/ada', undefined],
    ] as const) {
      const answer = await call(ada, method, path, body);
      assert.equal(answer.status, 403, path);
      assert.match(answer.body.reason!, /your own account/);
    }
    assert.equal((await call(ada, 'GET', '')).status, 200, 'ada is still an admin');
    const unknown = await call(ada, 'POST', '/nobody/disable');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.reason!, /no user "nobody"/);
    assert.equal((await call(ada, 'DELETE', '/nobody')).status, 404);
  });

  test('removing a login ends its session and its access at once; its data stays on the server', async () => {
    assert.equal((await call(ada, 'POST', '', { name: 'dora', role: 'inspector', password: 'dora-pass-1' })).status, 201);
    const dora = await loginCookie(stack.proxy.url, 'dora', 'dora-pass-1');
    const doraDb = `${stack.proxy.url}/db/${userDbName('dora')}`;
    const kept = inspection('dora', { title: 'Kept after removal' });
    const written = await fetch(doraDb, {
      method: 'POST',
      headers: { cookie: dora, 'content-type': 'application/json' },
      body: JSON.stringify(kept),
    });
    assert.equal(written.status, 201);
    const sam = await loginCookie(stack.proxy.url, 'sam');
    assert.equal((await call(sam, 'DELETE', '/dora')).status, 403, 'only admins remove');

    assert.equal((await call(ada, 'DELETE', '/dora')).status, 200);
    await waitFor(async () => (await fetch(doraDb, { headers: { cookie: dora } })).status === 401, 10_000, "dora's session ended");
    assert.equal((await login('dora', 'dora-pass-1')).status, 401);
    const listed = (await call(ada, 'GET', '')).body as unknown as { name: string }[];
    assert.ok(!listed.some((user) => user.name === 'dora'));
    assert.equal((await call(ada, 'DELETE', '/dora')).status, 404);
    // The data stays, for server admins alone.
    const stored = (await stack.admin.use(userDbName('dora')).get(kept._id)) as { title?: string };
    assert.equal(stored.title, 'Kept after removal');
  });

  test('a removed login’s name is not given to a new login while their data stays locked', async () => {
    assert.equal((await call(ada, 'POST', '', { name: 'erin', role: 'inspector', password: 'erin-pass-1' })).status, 201);
    const old = inspection('erin', { title: 'Written by the first erin' });
    await stack.admin.use(userDbName('erin')).insert(old as never);
    assert.equal((await call(ada, 'DELETE', '/erin')).status, 200);

    const again = await call(ada, 'POST', '', { name: 'erin', role: 'inspector', password: 'erin-pass-2' });
    assert.equal(again.status, 400);
    assert.match(again.body.reason!, /"erin" was removed before and their data stays locked to server admins: delete their database/);
    assert.equal((await login('erin', 'erin-pass-2')).status, 401);
    assert.equal(await getUser(stack.admin, 'erin'), null);

    // The way out the reason names: the operator deletes the old database first.
    await stack.admin.db.destroy(userDbName('erin'));
    assert.equal((await call(ada, 'POST', '', { name: 'erin', role: 'inspector', password: 'erin-pass-2' })).status, 201);
    const erin = await loginCookie(stack.proxy.url, 'erin', 'erin-pass-2');
    const oldDoc = await fetch(`${stack.proxy.url}/db/${userDbName('erin')}/${encodeURIComponent(old._id)}`, { headers: { cookie: erin } });
    assert.equal(oldDoc.status, 404, 'the new erin starts with an empty database');
  });

  test(
    'a login CouchDB has locked out after wrong passwords is made an admin all the same; a new password lets them in at once',
    { skip: TEST_SERVER !== 'couchdb' && 'CouchDB 3.4 locks a login out after failures; PouchDB Server does not' },
    async () => {
      assert.equal((await call(ada, 'POST', '', { name: 'lee', role: 'supervisor', password: 'lee-pass-1' })).status, 201);
      // Wrong passwords from this host (as lee mistyping theirs would) until CouchDB locks lee out.
      let status = 0;
      for (let attempt = 0; attempt < 10 && status !== 403; attempt++) {
        const response = await fetch(`${stack.couch.url}/_session`, {
          headers: { authorization: basicAuth('lee', `typo-pass-${attempt}`) },
        });
        status = response.status;
      }
      assert.equal(status, 403, 'CouchDB locked lee out');

      // A promotion tries no password, so the lockout does not hold it back.
      const promote = await call(ada, 'PUT', '/lee/role', { role: 'admin' });
      assert.equal(promote.status, 200, promote.body.reason);
      assert.equal((await getUser(stack.admin, 'lee'))?.fieldbook_role, 'admin');
      assert.equal(await isServerAdmin(stack.admin, 'lee'), true);

      // What an admin does for a locked-out user: a new password. CouchDB counts failures per
      // password (its salt), so the new one logs in at once, through the proxy too.
      const reset = await call(ada, 'PUT', '/lee/password', { password: 'lee-pass-2' });
      assert.equal(reset.status, 200, reset.body.reason);
      assert.equal((await postLogin(stack.proxy.url, 'lee', 'lee-pass-2')).status, 200);
    },
  );
});
