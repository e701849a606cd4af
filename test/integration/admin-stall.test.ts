import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import pino from 'pino';
import { readAppSettings, setArchiveDays } from '../../couch/app-settings';
import { userAccounts } from '../../couch/user-accounts';
import { API_REASONS } from '../../domain/api-reasons';
import { SETTINGS_DB } from '../../domain/archive-settings';
import { createProxyApp } from '../../proxy/app';
import { deviceKeyIn } from '../../proxy/device-key';
import { SessionStore } from '../../proxy/session-store';
import { basicAuth, startTestStack, type TestStack } from '../support/couch-harness';
import { within } from '../support/fixtures';
import { pausedCouch } from '../support/paused-couch';
import { openFeed } from '../support/open-feed';
import { userDbName } from '../../domain/user-db-name';

/*
 * The admin API's own questions to CouchDB (as server admin) when CouchDB stops answering some
 * of them: the admin gets an answer at the proxy's answer limit, not a request that hangs.
 */

const ANSWER_MS = 500;

let stack: TestStack;
let server: Server;
let url: string;
/** The server admin calls that get no answer until the test ends. */
let stalled: RegExp | null = null;
let release!: () => void;
let released = new Promise<void>((resolve) => (release = resolve));

before(async () => {
  stack = await startTestStack({ ada: 'admin', alice: 'inspector' });
  const silent = pausedCouch(stack.admin, async (call) => {
    if (stalled?.test(call)) await released;
  });
  const { handle } = createProxyApp({
    couchUrl: stack.couch.url,
    sessions: new SessionStore(stack.admin, 3600_000),
    sessionMaxAgeMs: 3600_000,
    secureCookies: false,
    staticDir: '/nonexistent',
    logger: pino({ level: 'silent' }),
    accounts: userAccounts(silent),
    settings: { read: () => readAppSettings(silent), setArchiveDays: (days) => setArchiveDays(silent, days) },
    readiness: async () => true,
    couchAnswerMs: ANSWER_MS,
    deviceKey: deviceKeyIn(stack.admin),
  });
  server = createServer(handle).listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  // The stalled work runs on to its end.
  stalled = null;
  release();
  released = new Promise<void>((resolve) => (release = resolve));
});
after(async () => {
  server?.close();
  await stack?.stop();
});

/** Ada's call, answered within a deadline far past the answer limit. */
async function asAda(method: string, path: string, body?: unknown): Promise<{ status: number; reason: unknown }> {
  const response = await within(
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: basicAuth('ada'), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    20 * ANSWER_MS,
    `an answer to ${method} ${path}`,
  );
  return { status: response.status, reason: ((await response.json()) as { reason?: unknown }).reason };
}

describe('a database server that does not answer the admin API', () => {
  test('listing and adding users are answered 504 at the answer limit', async () => {
    stalled = /^(list|insert) _users$/;
    for (const [method, body] of [['GET'], ['POST', { name: 'zed', role: 'inspector', password: 'zed-pass-12' }]] as const)
      assert.deepEqual(await asAda(method, '/api/admin/users', body), { status: 504, reason: API_REASONS.databaseSilent });
  });

  test('asking whether the caller is an admin now is answered 504 at the answer limit', async () => {
    stalled = /^get _users$/;
    assert.deepEqual(await asAda('GET', '/api/admin/users'), { status: 504, reason: API_REASONS.databaseSilent });
  });

  test('setting the archive period is answered 502 at the answer limit, as reading it is', async () => {
    stalled = new RegExp(` ${SETTINGS_DB}$`);
    assert.deepEqual(await asAda('PUT', '/api/admin/settings', { archiveDays: 12 }), {
      status: 502,
      reason: API_REASONS.settingsUnread,
    });
  });
});

describe('a database server that fails to delete a changed user’s sessions', () => {
  test('the user’s open feeds end all the same', async () => {
    class FailingSessions extends SessionStore {
      override async revokeUser(name: string): Promise<void> {
        await super.revokeUser(name).catch(() => undefined);
        throw new Error('CouchDB did not delete the sessions');
      }
    }
    const app = createProxyApp({
      couchUrl: stack.couch.url,
      sessions: new FailingSessions(stack.admin, 3600_000),
      sessionMaxAgeMs: 3600_000,
      secureCookies: false,
      staticDir: '/nonexistent',
      logger: pino({ level: 'silent' }),
      accounts: userAccounts(stack.admin),
      settings: { read: () => readAppSettings(stack.admin), setArchiveDays: (days) => setArchiveDays(stack.admin, days) },
      readiness: async () => true,
      deviceKey: deviceKeyIn(stack.admin),
    });
    const proxy = createServer(app.handle).listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    try {
      const at = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const feed = await openFeed(at, `/db/${userDbName('alice')}/_changes?feed=continuous&heartbeat=500&since=now`, {
        authorization: basicAuth('alice'),
      });
      assert.equal(feed.status, 200);
      await assert.rejects(app.cutOffUser('alice'), /did not delete/);
      await within(feed.ended, 20_000, 'the feed to end');
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });
});
