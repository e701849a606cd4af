import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { Authenticator } from '../../proxy/authenticate';
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
