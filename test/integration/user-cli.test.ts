import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { HUB_DB } from '../../domain/db-names';
import { adminOnly } from '../../couch/security';
import { isServerAdmin } from '../../couch/server-admins';
import { setServerAdmin } from '../support/server-admin';
import { getUser } from '../../couch/user-docs';
import { runUserCli } from '../../couch/user-cli';
import { userDbName } from '../../domain/user-db-name';
import { basicAuth, loginCookie, postLogin, startTestStack, TEST_PASSWORD, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { waitFor, within } from '../support/fixtures';
import { startLiveSync } from '../support/live-sync';
import { localDb, remoteDb } from '../support/node-pouch';
import { hasReplicationJob } from '../support/replication-job';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', bob: 'inspector' });
});
// Ends the CLI processes still running when this file ends, however it ends.
const fileEnded = new AbortController();
after(async () => {
  fileEnded.abort();
  await stack?.stop();
});

const cliEnv = (password?: string): NodeJS.ProcessEnv => ({
  ...process.env,
  COUCH_URL: stack.couch.adminUrl,
  FIELDBOOK_PASSWORD: password ?? '',
});

/**
 * `npm run user -- ...` against the test server, with FIELDBOOK_PASSWORD when given, run in
 * this process: a Node and tsx start for each of the 20 commands took 5-7 s apiece on a busy
 * machine and pushed this file past the 120 s test timeout.
 */
async function userCli(args: string[], password?: string) {
  const lines: string[] = [];
  const record = (line: string) => void lines.push(line);
  const code = await runUserCli(args, { env: cliEnv(password), log: record, error: record });
  return { code, output: lines.map((line) => `${line}\n`).join('') };
}

/** The same as its own process, as `npm run user` runs it (no terminal: it cannot prompt). */
async function userCliProcess(args: string[], password?: string) {
  const env = cliEnv(password);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'couch/user-cli.ts', ...args], {
      env,
      signal: fileEnded.signal,
      killSignal: 'SIGKILL',
    });
    return { code: 0, output: stdout };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: stdout + stderr };
  }
}

const couchSession = async (name: string, password = TEST_PASSWORD) => {
  const response = await fetch(`${stack.couch.url}/_session`, { headers: { authorization: basicAuth(name, password) } });
  return response.ok
    ? ((await response.json()) as { userCtx: { name: string | null; roles: string[] } }).userCtx
    : { status: response.status };
};
const login = (name: string, password = TEST_PASSWORD) => postLogin(stack.proxy.url, name, password);

describe('npm run user', () => {
  test('removing a user removes their replication jobs and their access', async () => {
    assert.equal(await hasReplicationJob(stack.admin, 'fanin-bob'), true);
    assert.equal(await hasReplicationJob(stack.admin, 'assign-bob'), true);
    assert.equal((await fetch(`${stack.proxy.url}/db/${userDbName('bob')}`, { headers: { authorization: basicAuth('bob') } })).status, 200);

    const { code, output } = await userCli(['remove', 'bob']);
    assert.equal(code, 0, output);
    assert.equal(await hasReplicationJob(stack.admin, 'fanin-bob'), false);
    assert.equal(await hasReplicationJob(stack.admin, 'assign-bob'), false);
    // The proxy drops bob's cached login when it sees the change on _users.
    await waitFor(
      async () =>
        (await fetch(`${stack.proxy.url}/db/${userDbName('bob')}`, { headers: { authorization: basicAuth('bob') } })).status === 401,
      60_000,
      'bob to be refused as unknown',
    );
    assert.deepEqual(await stack.admin.request({ path: `${userDbName('bob')}/_security` }), adminOnly());

    // Nothing of bob's flows into the hub any more: a doc alice writes after his gets there
    // through her own fan-in job, and his does not.
    const late = inspection('bob');
    await stack.admin.use(userDbName('bob')).insert(late as never);
    const marker = inspection('alice', { title: 'Written after bob’s' });
    await stack.admin.use(userDbName('alice')).insert(marker as never);
    const inHub = (id: string) =>
      stack.admin
        .use(HUB_DB)
        .get(id)
        .then(
          () => true,
          () => false,
        );
    await waitFor(() => inHub(marker._id), 60_000, 'a later doc of alice to reach the hub');
    assert.equal(await inHub(late._id), false);
  });

  test('a disabled user’s live sync stops, and enabling them needs a new password', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    const device = localDb('alice');
    const live = startLiveSync(device, remoteDb(`${stack.proxy.url}/db/${userDbName('alice')}`, { cookie }, { keepAlive: false }));
    const feed = await fetch(`${stack.proxy.url}/db/${userDbName('alice')}/_changes?feed=continuous&heartbeat=1000&since=now`, {
      headers: { cookie },
    });
    assert.equal(feed.status, 200);
    const reader = feed.body!.getReader();
    let feedEndedAt = 0;
    const drained = (async () => {
      try {
        while (!(await reader.read()).done);
      } catch {
        // a cut connection ends the feed too
      }
      feedEndedAt = Date.now();
    })();
    try {
      const before = inspection('alice', { title: 'Before disabling' });
      await stack.admin.use(userDbName('alice')).insert(before as never);
      await waitFor(
        () =>
          device.get(before._id).then(
            () => true,
            () => false,
          ),
        60_000,
        'the live sync to run',
      );

      // How long the proxy takes to react is printed, not asserted: a busy CI machine says
      // nothing about the code.
      const started = Date.now();
      const { code, output } = await userCli(['disable', 'alice']);
      assert.equal(code, 0, output);
      const syncError = await within(live.ended, 60_000, 'the live sync to end');
      assert.equal(syncError?.status, 401, `the live sync ended with ${JSON.stringify(syncError)}`);
      console.log(`the live sync ended ${Date.now() - started} ms after the disable command started`);
      await waitFor(async () => feedEndedAt > 0, 60_000, 'the continuous feed to be cut');
      console.log(`the continuous feed was cut ${feedEndedAt - started} ms after the disable command started`);
      assert.equal((await fetch(`${stack.proxy.url}/db/${userDbName('alice')}`, { headers: { cookie } })).status, 401);
      assert.equal((await login('alice')).status, 401);

      // The sync ended for good (no retry is scheduled: both directions are cancelled), and its
      // session is refused: nothing written now can reach the device.
      const { pull, push } = live.sync as unknown as { pull: { cancelled: boolean }; push: { cancelled: boolean } };
      assert.deepEqual({ pull: pull.cancelled, push: push.cancelled }, { pull: true, push: true });
      const after = inspection('alice', { title: 'After disabling' });
      await stack.admin.use(userDbName('alice')).insert(after as never);
      assert.equal(
        (await fetch(`${stack.proxy.url}/db/${userDbName('alice')}/${encodeURIComponent(after._id)}`, { headers: { cookie } })).status,
        401,
      );
      assert.equal(
        await device.get(after._id).then(
          () => true,
          () => false,
        ),
        false,
      );
    } finally {
      await reader.cancel().catch(() => undefined);
      await drained;
      await live.stop();
      await device.destroy();
    }

    const noPassword = await userCliProcess(['enable', 'alice']);
    assert.equal(noPassword.code, 1, 'enabling without a password fails');
    assert.match(noPassword.output, /enabling alice needs a new password: disabling replaced the old one/);
    assert.match(noPassword.output, /set FIELDBOOK_PASSWORD/);
    const { code, output } = await userCli(['enable', 'alice'], 'a-new-password');
    assert.equal(code, 0, output);
    assert.equal((await login('alice')).status, 401);
    assert.equal((await login('alice', 'a-new-password')).status, 200);
  });

  test('add, role, passwd and list; an admin is a CouchDB server admin', async () => {
    assert.equal((await userCli(['add', 'carol', '--role', 'supervisor'], 'carol-pw')).code, 0);
    const carol = await loginCookie(stack.proxy.url, 'carol', 'carol-pw');
    assert.equal((await fetch(`${stack.proxy.url}/db/${HUB_DB}`, { headers: { cookie: carol } })).status, 200);

    const demoted = await userCli(['role', 'carol', 'inspector']);
    assert.equal(demoted.code, 0, demoted.output);
    assert.equal(
      (await fetch(`${stack.proxy.url}/db/${HUB_DB}`, { headers: { cookie: carol } })).status,
      401,
      'her session ended with the change',
    );
    // A role change keeps the password: CouchDB's login cache takes the new roles a moment later.
    await waitFor(
      async () => {
        const again = await loginCookie(stack.proxy.url, 'carol', 'carol-pw');
        return (await fetch(`${stack.proxy.url}/db/${HUB_DB}`, { headers: { cookie: again } })).status === 403;
      },
      10_000,
      'a new session of carol to be refused the hub',
    );

    const short = await userCli(['passwd', 'carol'], 'short-1');
    assert.equal(short.code, 1);
    assert.match(short.output, /a password needs at least 8 characters/);
    assert.equal((await userCli(['passwd', 'carol'], 'carol-pw-2')).code, 0);
    assert.equal((await login('carol', 'carol-pw')).status, 401);
    assert.equal((await login('carol', 'carol-pw-2')).status, 200);

    assert.equal((await userCli(['add', 'ada', '--role', 'admin'], 'ada-pass-1')).code, 0);
    assert.deepEqual(((await couchSession('ada', 'ada-pass-1')) as { roles: string[] }).roles.sort(), ['_admin', 'admin']);
    assert.equal((await userCli(['role', 'ada', 'supervisor'])).code, 0);
    await waitFor(
      async () => JSON.stringify(((await couchSession('ada', 'ada-pass-1')) as { roles: string[] }).roles) === '["supervisor"]',
      10_000,
      'ada to log in as a supervisor only',
    );
    // As `npm run user` runs, with no password to give: a promotion asks for none, and keeps the one ada signs in with.
    const promote = await userCliProcess(['role', 'ada', 'admin']);
    assert.equal(promote.code, 0, promote.output);
    assert.deepEqual(((await couchSession('ada', 'ada-pass-1')) as { roles: string[] }).roles.sort(), ['_admin', 'admin']);

    assert.equal((await userCli(['disable', 'ada'])).code, 0);
    assert.deepEqual(await couchSession('ada', 'ada-pass-1'), { status: 401 }, 'no longer a server admin either');

    const { output } = await userCli(['list']);
    assert.match(output, /^carol\s+inspector$/m);
    assert.match(output, /^ada\s+admin\s+disabled$/m);
    assert.equal((await userCli(['add', 'dave', '--role', 'boss'], 'pw')).code, 1);
    assert.equal((await userCli(['frobnicate'])).code, 2);
  });

  test('a server admin of the configuration without a Fieldbook role is refused, as the admin API refuses it', async () => {
    await setServerAdmin(stack.admin, 'ops', 'ops-secret-1');
    for (const args of [
      ['add', 'ops', '--role', 'inspector'],
      ['role', 'ops', 'inspector'],
      ['disable', 'ops'],
      ['remove', 'ops'],
    ]) {
      const { code, output } = await userCli(args, 'ops-new-pass-1');
      assert.equal(code, 1, args.join(' '));
      assert.match(output, /"ops" is a server admin of CouchDB's configuration; manage it there/);
    }
    assert.equal(await isServerAdmin(stack.admin, 'ops'), true, 'still a server admin');
    assert.equal(await getUser(stack.admin, 'ops'), null, 'and no Fieldbook login');
    assert.deepEqual(((await couchSession('ops', 'ops-secret-1')) as { roles: string[] }).roles, ['_admin']);
  });
});
