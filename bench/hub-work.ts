/**
 * What the proxy's background work on the hub (proxy/hub-work.ts: the record handover
 * and the partner withdrawal) asks of the database server for each hub write.
 *
 * Starts a server (PouchDB Server, or CouchDB 3.4 with --server couchdb), bootstraps it, creates
 * `--partners` partner databases, and runs the hub work against the server through a counting
 * forwarder (every request it makes passes there, by kind). Then it writes `--writes` documents
 * into the hub one at a time, each after the work has read past the one before (each write a
 * batch of its own, the quiet hours' case, where per-batch costs weigh most): drafts and
 * a defect of each, of inspections never shared, as inspectors' work reaches the hub all day.
 *
 * Baseline, same run: the write itself, one request. Reported: the work's requests per hub
 * write (ratio to the write), by kind, and the hub work's checkpoint catching up after each
 * write (p50/p99, ms). A benchmark reports; it does not assert.
 *
 *   npx tsx bench/hub-work.ts [--server couchdb] [--partners 10] [--writes 200] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import { bootstrap } from '../couch/bootstrap';
import { couchAdmin, splitCredentials } from '../couch/couch-admin';
import { HUB_DB, partnerDbName } from '../domain/db-names';
import { HUB_WORK_CHECKPOINT_ID, startHubWork } from '../proxy/hub-work';
import { defect, inspection } from '../test/fixtures/documents';
import { freePort } from '../test/support/free-port';
import { seqNumber } from '../test/support/seq-number';
import { startTestServer, type TestServer } from '../test/support/test-server';
import { serverKind } from './bench-stack';
import { fmt, percentile } from './stats';

function options() {
  const { values } = parseArgs({
    options: {
      server: { type: 'string' },
      partners: { type: 'string', default: '10' },
      writes: { type: 'string', default: '200' },
      json: { type: 'boolean', default: false },
    },
  });
  return { kind: serverKind(values.server), partners: Number(values.partners), writes: Number(values.writes), json: values.json };
}

/** What a request is for: its database (partner databases together) and endpoint. */
function kindOf(method: string, url: string): string {
  const [db = '', endpoint = ''] = decodeURIComponent(url.split('?')[0]).split('/').slice(1);
  if (db === '_all_dbs') return 'GET _all_dbs (partner databases)';
  const where = db === HUB_DB ? 'hub' : db.startsWith('partner-') ? 'partner db' : db;
  // A POST to the database itself is a checkpoint (`_local` documents are written that way here).
  return `${where}: ${method} ${endpoint || (method === 'POST' ? '(checkpoint)' : '')}`;
}

/** An HTTP forwarder to `target` that counts requests by kind. */
async function countingForwarder(target: URL, counts: Map<string, number>): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    const kind = kindOf(req.method ?? 'GET', req.url ?? '/');
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    // The client gone (a longpoll the hub work cut): so is its upstream request.
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, server };
}

async function main(): Promise<void> {
  const o = options();
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldbook-bench-hub-work-'));
  let server: TestServer | null = null;
  let forwarder: Server | null = null;
  let work: { stop(): void } | null = null;
  try {
    server = await startTestServer(join(dataDir, 'server'), o.kind);
    const admin = couchAdmin(server.adminUrl);
    await bootstrap(admin, { sessionTimeoutSeconds: 3600 });
    for (let i = 0; i < o.partners; i++) await admin.db.create(partnerDbName(`p${i}`));

    const counts = new Map<string, number>();
    const { url, name, password } = splitCredentials(server.adminUrl);
    const counted = await countingForwarder(new URL(url), counts);
    forwarder = counted.server;
    const countedUrl = `http://${encodeURIComponent(name)}:${encodeURIComponent(password)}@127.0.0.1:${counted.port}`;
    work = startHubWork({
      couch: couchAdmin(countedUrl),
      couchAdminUrl: countedUrl,
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
    });

    const hub = admin.use(HUB_DB);
    const caughtUp = async (seq: unknown) => {
      for (;;) {
        const done = await hub.get(HUB_WORK_CHECKPOINT_ID).then(
          (doc) => (doc as unknown as { seq: unknown }).seq,
          () => 0,
        );
        if (seqNumber(done) >= seqNumber(seq)) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // The first run reads the hub from the start (the bootstrap's documents); then it keeps up.
    await hub.insert(inspection('alice') as never);
    await caughtUp((await hub.info()).update_seq);
    counts.clear();

    const lags: number[] = [];
    let draft = inspection('alice');
    for (let i = 0; i < o.writes; i++) {
      if (i % 2 === 0) draft = inspection('alice', { title: `Draft ${i}` });
      const doc = i % 2 ? defect('alice', draft._id) : draft;
      const started = performance.now();
      await hub.insert(doc as never);
      await caughtUp((await hub.info()).update_seq);
      lags.push(performance.now() - started);
    }
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    const byKind = Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => [kind, n / o.writes]));
    const summary = {
      server: o.kind,
      partners: o.partners,
      writes: o.writes,
      requestsPerWrite: total / o.writes,
      byKind,
      caughtUpMs: { p50: percentile(lags, 50), p99: percentile(lags, 99) },
      load: loadavg()[0],
    };
    console.log(
      `hub work, ${o.kind}, ${o.partners} partner databases, ${o.writes} hub writes one at a time (load ${fmt(summary.load, 1)})`,
    );
    console.log(
      `  requests to the server per hub write: ${fmt(summary.requestsPerWrite)} (ratio to the write's own request: ${fmt(summary.requestsPerWrite)})`,
    );
    for (const [kind, perWrite] of Object.entries(byKind)) console.log(`    ${kind.padEnd(36)} ${fmt(perWrite)}`);
    console.log(`  caught up after each write: p50 ${fmt(summary.caughtUpMs.p50, 0)} ms, p99 ${fmt(summary.caughtUpMs.p99, 0)} ms`);
    if (o.json) console.log(JSON.stringify(summary));
  } finally {
    work?.stop();
    forwarder?.closeAllConnections();
    forwarder?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
