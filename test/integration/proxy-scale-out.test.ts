import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { userDbName } from '../../domain/user-db-name';
import { disableUser } from '../../couch/users';
import type { RunningProxy } from '../../proxy/server';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { openFeed, settlesWithin, type OpenFeed } from '../support/open-feed';

/**
 * Scale out: two proxy processes' worth of proxy (the stack's own and a second one) on one
 * CouchDB, as FIELDBOOK_PROXY_WORKERS runs them. Nothing a user does depends on which one
 * their request reaches.
 */
let stack: TestStack;
let second: RunningProxy;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', bob: 'inspector', carol: 'inspector' });
  second = await stack.anotherProxy({ staticDir: join(tmpdir(), 'fieldbook-no-app') });
});
after(async () => {
  try {
    await second?.close();
  } finally {
    await stack?.stop();
  }
});

/** A generous deadline for another process to notice (a feed row, on a busy 2-core machine). */
const NOTICE_MS = 60_000;
const feedPath = (name: string) => `/db/${userDbName(name)}/_changes?feed=longpoll&heartbeat=5000&since=now`;
const sessionOn = (proxy: { url: string }, cookie: string) => fetch(`${proxy.url}/api/session`, { headers: { cookie } });

/** Feeds opened in a test, closed after it whatever happened. */
async function withFeeds(
  run: (open: (proxy: { url: string }, name: string, cookie: string) => Promise<OpenFeed>) => Promise<void>,
): Promise<void> {
  const feeds: OpenFeed[] = [];
  try {
    await run(async (proxy, name, cookie) => {
      const feed = await openFeed(proxy.url, feedPath(name), { cookie });
      feeds.push(feed);
      assert.equal(feed.status, 200, `${name}'s feed opened`);
      return feed;
    });
  } finally {
    for (const feed of feeds) feed.close();
  }
}

describe('several proxies on one CouchDB', () => {
  test('a session made on one proxy works on the other, for the session and for database requests', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    const answer = await sessionOn(second, cookie);
    assert.equal(answer.status, 200);
    assert.equal(((await answer.json()) as { name: string }).name, 'alice');
    assert.equal((await fetch(`${second.url}/db/${userDbName('alice')}`, { headers: { cookie } })).status, 200);
  });

  test("a logout on one proxy ends that session's open feeds on the other, and the other refuses the session; other users' feeds stay", async () => {
    const alice = await loginCookie(stack.proxy.url, 'alice');
    const bob = await loginCookie(second.url, 'bob');
    await withFeeds(async (open) => {
      // Used on the second proxy first, so it holds the session in its cache.
      assert.equal((await sessionOn(second, alice)).status, 200);
      const aliceFeed = await open(second, 'alice', alice);
      const bobFeed = await open(second, 'bob', bob);
      assert.equal((await fetch(`${stack.proxy.url}/api/session`, { method: 'DELETE', headers: { cookie: alice } })).status, 200);
      assert.ok(await settlesWithin(aliceFeed.ended, NOTICE_MS), "alice's feed on the other proxy ended");
      assert.equal((await sessionOn(second, alice)).status, 401);
      assert.equal((await fetch(`${second.url}/db/${userDbName('alice')}`, { headers: { cookie: alice } })).status, 401);
      // Bob's feed is still open: it delivers a write made now (a cut feed would end without it).
      const marker = inspection('bob', { title: 'Written after alice logged out' });
      await stack.admin.use(userDbName('bob')).insert(marker as never);
      assert.ok(await settlesWithin(bobFeed.ended, NOTICE_MS), "bob's longpoll answered");
      assert.match(bobFeed.text(), new RegExp(marker._id), "bob's feed delivered the write made after alice's logout");
    });
  });

  test('a disabled user loses their feeds on every proxy and cannot log in on either', async () => {
    const onFirst = await loginCookie(stack.proxy.url, 'carol');
    const onSecond = await loginCookie(second.url, 'carol');
    await withFeeds(async (open) => {
      const feeds = [
        await open(stack.proxy, 'carol', onFirst),
        await open(second, 'carol', onSecond),
        await open(second, 'carol', onFirst),
      ];
      await disableUser(stack.admin, 'carol');
      for (const [i, feed] of feeds.entries()) assert.ok(await settlesWithin(feed.ended, NOTICE_MS), `carol's feed ${i} ended`);
      for (const proxy of [stack.proxy, second]) {
        for (const cookie of [onFirst, onSecond]) assert.equal((await sessionOn(proxy, cookie)).status, 401);
        // CouchDB 3 drops its cached login of carol when it sees the _users change, a moment
        // after the proxies did.
        const login = () =>
          fetch(`${proxy.url}/api/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'carol', password: 'test-password-1' }),
          });
        await waitFor(async () => (await login()).status === 401, NOTICE_MS, 'carol’s login to be refused');
      }
    });
  });
});
