import assert from 'node:assert/strict';
import { createSecretKey, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import express from 'express';
import pino from 'pino';
import type { Authenticator } from '../../proxy/authenticate';
import type { LiveRequests } from '../../proxy/live-requests';
import { DeviceCookies } from '../../proxy/device-cookie';
import { LoginThrottle } from '../../proxy/login-throttle';
import { sessionRoutes } from '../../proxy/session-routes';
import type { Session, SessionStore } from '../../proxy/session-store';

// CouchDB's /_session a moment after an admin changed these logins: its login cache still
// answers with the old password and roles (CouchDB 3.4, about 300 ms).
const STALE_ANSWERS: Record<string, string[]> = { hal: ['_admin'], ivo: ['_admin'], kim: ['supervisor'] };
// What `_users` says of them now: hal demoted, ivo removed; kim's login did not change.
const NOW = { hal: { role: 'inspector' as const, disabled: false }, kim: { role: 'supervisor' as const, disabled: false } };
const CHANGED = new Set(['hal', 'ivo']);

let couch: Server;
let proxy: Server;
let proxyUrl: string;
const created: Omit<Session, 'expiresAt'>[] = [];
const looked: string[] = [];

before(async () => {
  couch = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { name } = JSON.parse(body) as { name: string };
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'AuthSession=from-couch; Path=/' });
      res.end(JSON.stringify({ ok: true, name, roles: STALE_ANSWERS[name] }));
    });
  }).listen(0, '127.0.0.1');
  await once(couch, 'listening');
  const app = express();
  app.use(
    '/api/session',
    sessionRoutes({
      couchUrl: `http://127.0.0.1:${(couch.address() as AddressInfo).port}`,
      sessions: { create: async (session: Omit<Session, 'expiresAt'>) => (created.push(session), 'session-id') } as unknown as SessionStore,
      authenticator: {
        isUnsettled: (name: string) => CHANGED.has(name),
        clientAddress: (req: IncomingMessage) => req.socket.remoteAddress,
      } as unknown as Authenticator,
      liveRequests: {} as LiveRequests,
      throttle: new LoginThrottle(),
      devices: new DeviceCookies(async () => createSecretKey(randomBytes(32).toString('base64'), 'base64')),
      maxAgeMs: 60_000,
      answerMs: 5_000,
      secureCookies: false,
      logger: pino({ level: 'silent' }),
      currentLogin: async (name) => (looked.push(name), NOW[name as keyof typeof NOW] ?? null),
    }),
  );
  proxy = app.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
after(() => {
  couch?.close();
  proxy?.close();
});

const login = (name: string) =>
  fetch(`${proxyUrl}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'the-old-one' }),
  });

describe('a login made just after an admin changed it', () => {
  test('gets the roles `_users` gives it now, not the ones CouchDB still remembers', async () => {
    const answer = await login('hal');
    assert.equal(answer.status, 200);
    assert.deepEqual(((await answer.json()) as { roles: string[] }).roles, ['inspector']);
    assert.deepEqual(created.at(-1)?.roles, ['inspector']);
  });

  test('of a removed login is refused', async () => {
    const count = created.length;
    const answer = await login('ivo');
    assert.equal(answer.status, 401);
    assert.equal(created.length, count, 'no session');
  });

  test('of a login that did not change keeps what CouchDB answered, without a look at `_users`', async () => {
    const answer = await login('kim');
    assert.equal(answer.status, 200);
    assert.deepEqual(created.at(-1)?.roles, ['supervisor']);
    assert.equal(looked.includes('kim'), false);
  });
});
