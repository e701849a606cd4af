import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import pino from 'pino';
import { watchUsers } from '../../proxy/user-watch';
import { waitFor } from '../support/fixtures';

const row = (seq: string, name: string, rev: string) => ({ seq, id: `org.couchdb.user:${name}`, changes: [{ rev }] });

// A _users feed as a CouchDB cluster serves it after a node went down: the continuous feed
// ends, and the resumed one starts over from 0 on another copy, replaying unchanged users.
const feeds = [
  [row('2-a', 'alice', '1-a'), row('3-a', 'bob', '1-b')],
  [row('1-b', 'alice', '1-a'), row('2-b', 'bob', '1-b'), row('3-b', 'bob', '2-b'), row('4-b', 'carol', '1-c')],
];
const server = createServer((req, res) => {
  const url = new URL(req.url!, 'http://x');
  res.setHeader('content-type', 'application/json');
  if (url.searchParams.get('feed') !== 'continuous') {
    res.end(JSON.stringify({ results: [row('1-a', 'alice', '1-a'), row('2-a', 'bob', '1-b')], last_seq: '2-a' }));
    return;
  }
  res.end((feeds.shift() ?? []).map((change) => JSON.stringify(change) + '\n').join(''));
});
after(() => server.close());

test('a user counts as changed when their doc has a new revision, not when a replayed feed names them again', async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const changed: string[] = [];
  const watch = watchUsers(`http://admin:pw@127.0.0.1:${port}`, (name) => changed.push(name), pino({ level: 'silent' }));
  try {
    await waitFor(async () => changed.includes('carol'), 60_000, 'the resumed feed');
    assert.deepEqual(changed, ['bob', 'carol']);
  } finally {
    watch.stop();
  }
});
