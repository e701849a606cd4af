import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import pino from 'pino';
import { Registry } from 'prom-client';
import { couchAdmin } from '../../couch/couch-admin';
import { startHubWork } from '../../proxy/hub-work';
import { waitFor } from '../support/fixtures';
import { metricValue as metric } from '../support/metric-value';

// A hub as PouchDB Server serves an idle longpoll: headers at once, then nothing, whatever
// `timeout` says; or, `stalled`, a server that never answers at all.
const held: ServerResponse[] = [];
let changesReads = 0;
let stalled = false;
const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url!.includes('/_changes')) {
    changesReads++;
    if (!stalled) res.write('{"results":[\n');
    held.push(res);
    return;
  }
  res.statusCode = 404;
  res.end(JSON.stringify({ error: 'not_found', reason: 'missing' }));
});
after(() => {
  for (const res of held) res.destroy();
  server.close();
});

/**
 * The hub work following the fake hub, reading for a change 2 s at a time (cut at 2.8 s); its
 * metrics in `registry`. Not shorter: an answer's headers later than the cut make a failed round,
 * and on a loaded CI machine a 100 ms read (cut at 140 ms) missed them.
 */
async function watchFakeHub(registry: Registry) {
  if (!server.listening) {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  }
  const adminUrl = `http://admin:secret@127.0.0.1:${(server.address() as { port: number }).port}`;
  return startHubWork({
    couch: couchAdmin(adminUrl),
    couchAdminUrl: adminUrl,
    logger: pino({ level: 'silent' }),
    registry,
    idleMs: 2_000,
  });
}

test('a read of the hub that the server holds open past its timeout is cut, counted as a quiet round, and read again; stop ends it', async () => {
  const registry = new Registry();
  const watch = await watchFakeHub(registry);
  try {
    await waitFor(async () => changesReads >= 2, 30_000, 'the held read cut and made again');
    const lastRound = await metric(registry, 'fieldbook_handover_last_round_seconds');
    assert.ok(lastRound > Date.now() / 1000 - 10, `last round at ${lastRound}`);
    assert.equal(await metric(registry, 'fieldbook_handover_failed_rounds_total'), 0);
  } finally {
    watch.stop();
  }
  const reads = changesReads;
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(changesReads, reads, 'no read after stop');
});

test('a hub that never answers is a failed round, not a quiet one: the last round stays where it was', async () => {
  stalled = true;
  const registry = new Registry();
  const watch = await watchFakeHub(registry);
  try {
    await waitFor(async () => (await metric(registry, 'fieldbook_handover_failed_rounds_total')) >= 1, 30_000, 'a failed round');
    assert.equal(await metric(registry, 'fieldbook_handover_last_round_seconds'), 0);
    // One read feeds both: its failure is a failed round of each.
    assert.ok((await metric(registry, 'fieldbook_partner_withdrawal_failed_rounds_total')) >= 1);
  } finally {
    watch.stop();
    stalled = false;
  }
});
