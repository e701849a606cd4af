import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import pino from 'pino';
import { followChanges, type Change } from '../../proxy/changes-feed';
import { waitFor } from '../support/fixtures';

// A continuous feed that answers its headers and then falls silent, no heartbeat, as over a
// dropped route; the next connection brings a change.
const feeds: ServerResponse[] = [];
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  feeds.push(res);
  if (feeds.length === 1) res.flushHeaders();
  else res.end(JSON.stringify({ seq: '2', id: 'session-a', deleted: true }) + '\n');
});
after(() => {
  for (const res of feeds) res.destroy();
  server.close();
});

test('a feed silent for three heartbeats is opened again from where it was, not held until the HTTP client gives up', async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const heard: Change[] = [];
  const feed = followChanges({
    couchAdminUrl: `http://admin:pw@127.0.0.1:${port}`,
    db: 'fieldbook-sessions',
    start: async () => '1',
    onChange: (change) => heard.push(change),
    logger: pino({ level: 'silent' }),
    heartbeatMs: 100,
  });
  try {
    await waitFor(async () => heard.length > 0, 60_000, 'the change on the next connection');
    assert.equal(heard[0]!.id, 'session-a');
    // The silent connection was let go, not left open beside the new one.
    if (!feeds[0]!.destroyed) await once(feeds[0]!, 'close');
    assert.match(feeds[1]!.req.url!, /since=1(&|$)/);
  } finally {
    feed.stop();
  }
});
