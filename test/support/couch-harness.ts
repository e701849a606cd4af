import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { bootstrap } from '../../couch/bootstrap';
import { basicAuthorization, couchAdmin, type CouchAdmin } from '../../couch/couch-admin';
import { addUser, type FieldbookRole } from '../../couch/users';
import { startProxy, type ProxyOptions, type RunningProxy } from '../../proxy/server';
import { freePort } from './free-port';
import { fetchFrom } from './raw-request';
import { startTestServer, type TestServer } from './test-server';

export const TEST_PASSWORD = 'test-password-1';

export interface TestStack {
  couch: TestServer;
  admin: CouchAdmin;
  proxy: RunningProxy;
  /** Stops the proxy and starts a new one on the same port (sessions live in CouchDB), doing `whileDown` in between. */
  restartProxy(whileDown?: () => Promise<void>): Promise<void>;
  /** Stops the database server and starts it again on the same data and port. */
  restartCouch(): Promise<void>;
  /** One more proxy in front of the same server, silent, on a free port, with `options` besides: the caller closes it. */
  anotherProxy(options?: Partial<ProxyOptions>): Promise<RunningProxy>;
  stop(): Promise<void>;
}

/**
 * A real server (PouchDB Server, or CouchDB 3.4 with FIELDBOOK_TEST_SERVER=couchdb) in a temp
 * dir on free ports, bootstrapped, with users, and the proxy in front of it: what integration
 * tests run against.
 */
export async function startTestStack(users: Record<string, FieldbookRole> = { alice: 'inspector', bob: 'inspector' }): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldbook-test-'));
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  let couch: TestServer;
  try {
    couch = await startTestServer(join(dataDir, 'server'));
  } catch (error) {
    removeData();
    throw error;
  }
  const admin = couchAdmin(couch.adminUrl);
  const launchProxy = (port: number) =>
    startProxy({
      couchAdminUrl: couch.adminUrl,
      port,
      logger: pino({ level: process.env['LOG_LEVEL'] ?? 'silent' }),
      staticDir: join(dataDir, 'no-app'),
    });
  // Whatever fails halfway stops what already runs: a test file whose before() throws has no stack to stop.
  let proxy: RunningProxy;
  try {
    await bootstrap(admin, { sessionTimeoutSeconds: 30 * 24 * 3600 });
    for (const [name, role] of Object.entries(users)) await addUser(admin, name, TEST_PASSWORD, role);
    proxy = await launchProxy(await freePort());
  } catch (error) {
    await couch.stop().finally(removeData);
    const request = (error as { request?: { method?: string; url?: string } }).request;
    throw new Error(
      `setting up the ${couch.kind} test server failed: ${(error as Error).message}${request ? ` (${request.method} ${request.url})` : ''}`,
      { cause: error },
    );
  }
  const stack: TestStack = {
    couch,
    admin,
    proxy,
    async restartProxy(whileDown) {
      const port = Number(new URL(stack.proxy.url).port);
      await stack.proxy.close();
      await whileDown?.();
      stack.proxy = await launchProxy(port);
    },
    restartCouch: () => couch.restart(),
    anotherProxy: (options) => startProxy({ couchAdminUrl: couch.adminUrl, port: 0, logger: pino({ level: 'silent' }), ...options }),
    async stop() {
      try {
        await stack.proxy.close();
      } finally {
        await stack.couch.stop().finally(removeData);
      }
    },
  };
  return stack;
}

/** A login at the proxy, as the app makes it (from this address, or `from`): the answer, whatever it is. */
export function postLogin(proxyUrl: string, name: string, password = TEST_PASSWORD, from?: string): Promise<Response> {
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password }) };
  // From another loopback address (127.0.0.x): a client elsewhere, as the proxy sees it.
  return from ? fetchFrom(from, `${proxyUrl}/api/session`, init) : fetch(`${proxyUrl}/api/session`, init);
}

/** Logs in through the proxy and returns the session cookie header value. */
export async function loginCookie(proxyUrl: string, name: string, password = TEST_PASSWORD): Promise<string> {
  const response = await postLogin(proxyUrl, name, password);
  if (!response.ok) throw new Error(`login of ${name} failed: ${response.status} ${await response.text()}`);
  return /^[^;]+/.exec(response.headers.get('set-cookie')!)![0];
}

export function basicAuth(name: string, password = TEST_PASSWORD): string {
  return basicAuthorization(name, password);
}
