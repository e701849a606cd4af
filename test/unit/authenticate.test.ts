import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { basicAuthorization } from '../../couch/couch-admin';
import { Authenticator } from '../../proxy/authenticate';
import type { Refused } from '../../proxy/couch-error';
import type { Session, SessionStore } from '../../proxy/session-store';

const session: Session = { name: 'alice', roles: ['inspector'], couchCookie: 'couch-cookie', expiresAt: Date.now() + 60_000 };
const sessions = { get: async (id: string) => (id === 'the-id' ? session : null) } as unknown as SessionStore;
// Nothing listens there: a session cookie must be enough, without asking CouchDB.
const authenticator = new Authenticator('http://127.0.0.1:9', sessions);
const withCookie = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;

describe('finding the caller by the session cookie', () => {
  test('reads fieldbook_session from the Cookie header, among other cookies', async () => {
    assert.deepEqual(await authenticator.identify(withCookie('theme=dark; fieldbook_session=the-id; lang=en')), {
      kind: 'session',
      caller: { name: 'alice', roles: ['inspector'] },
      sessionId: 'the-id',
      couchCookie: 'couch-cookie',
    });
  });

  test('is nobody without the cookie, or with an unknown session id', async () => {
    assert.equal(await authenticator.identify(withCookie()), null);
    assert.equal(await authenticator.identify(withCookie('theme=dark')), null);
    assert.equal(await authenticator.identify(withCookie('fieldbook_session=forged')), null);
    assert.equal(await authenticator.identify(withCookie('fieldbook_session=')), null);
  });
});

describe('Basic credentials after a login changed', () => {
  test('are not cached while CouchDB may still answer with the old password and roles', async (t) => {
    // CouchDB's /_session as it answers for mia's old password: an admin at first, then (its
    // login cache caught up with her disabling) nobody. Counted, to see what the proxy caches.
    let answer: { status: number; body: object } = { status: 200, body: { userCtx: { name: 'mia', roles: ['_admin', 'admin'] } } };
    let asked = 0;
    const couch = createServer((_req, res) => {
      asked++;
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await once(couch.listen(0, '127.0.0.1'), 'listening');
    t.after(() => couch.close());
    const checker = new Authenticator(`http://127.0.0.1:${(couch.address() as AddressInfo).port}`, sessions);
    const basic = { headers: { authorization: basicAuthorization('mia', 'old-password-1') }, socket: {} } as IncomingMessage;
    const roles = async () => (await checker.identify(basic))?.caller.roles ?? null;

    assert.deepEqual(await roles(), ['_admin', 'admin']);
    assert.deepEqual(await roles(), ['_admin', 'admin']);
    assert.equal(asked, 1, 'cached while nothing changed');

    // The proxy sees mia disabled in _users; CouchDB's own cache still lets the old password in.
    checker.forgetBasic('mia');
    assert.deepEqual(await roles(), ['_admin', 'admin']);
    answer = { status: 401, body: { error: 'unauthorized', reason: 'Name or password is incorrect.' } };
    assert.equal(await roles(), null, 'the lagging answer was not cached');
    assert.equal(asked, 3);
  });
});

describe('checking Basic credentials with CouchDB', () => {
  test("tells CouchDB the client's address, and its own lockout is a wait to answer, not a wrong password to cache", async (t) => {
    // CouchDB's /_session, locked at first (its own count of this name at this address), then letting the right password in.
    let locked = true;
    const forwardedFor: (string | undefined)[] = [];
    const couch = createServer((req, res) => {
      forwardedFor.push(req.headers['x-forwarded-for'] as string | undefined);
      const [status, body] = locked
        ? [403, { error: 'forbidden', reason: 'Account is temporarily locked due to multiple authentication failures' }]
        : [200, { userCtx: { name: 'nia', roles: ['inspector'] } }];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await once(couch.listen(0, '127.0.0.1'), 'listening');
    t.after(() => couch.close());
    const checker = new Authenticator(`http://127.0.0.1:${(couch.address() as AddressInfo).port}`, sessions);
    const basic = { headers: { authorization: basicAuthorization('nia', 'right-password') }, socket: { remoteAddress: '203.0.113.5' } };

    await assert.rejects(checker.identify(basic as IncomingMessage), (error: Refused) => {
      assert.equal(error.refusal.status, 429);
      assert.equal(error.refusal.retryAfterS, 300);
      return true;
    });
    locked = false;
    assert.deepEqual(
      (await checker.identify(basic as IncomingMessage))?.caller,
      { name: 'nia', roles: ['inspector'] },
      'nothing was cached',
    );
    assert.deepEqual(forwardedFor, ['203.0.113.5', '203.0.113.5']);
  });
});
