import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { bootstrap } from '../../couch/bootstrap';
import { couchAdmin, type CouchAdmin } from '../../couch/couch-admin';
import { userDbName } from '../../domain/user-db-name';
import { addUser } from '../../couch/users';
import { startProxy, type RunningProxy } from '../../proxy/server';
import { loginCookie, TEST_PASSWORD } from '../support/couch-harness';
import { COUCHDB_ADMIN, couchDbAvailable, startCouchDb, type CouchDbProcess } from '../support/couchdb-process';
import { inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { freePort, freePorts } from '../support/free-port';
import { startLiveSync } from '../support/live-sync';
import { localDb, remoteDb } from '../support/node-pouch';

/**
 * Three CouchDB 3.4.3 nodes from the release tarball on 127.0.0.1-3 (one shared distribution
 * port, one cookie, no epmd), joined through /_cluster_setup as docker/couchdb/cluster-setup.sh
 * does, with the very cluster settings of the compose profile (docker/couchdb/cluster-node.ini).
 * Two devices of one user live-sync through the proxy while a node is stopped; nothing is lost
 * and the node catches up when it is back.
 */
const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const CLUSTER_INI = resolve(__dirname, '../../docker/couchdb/cluster-node.ini');
const LIMIT = 60_000;

const skip = couchDbAvailable() ? false : 'no CouchDB release in ../shared/couchdb';
const password = randomBytes(18).toString('base64url');
const dataDir = mkdtempSync(join(tmpdir(), 'fieldbook-cluster-'));
const nodes: CouchDbProcess[] = [];
let admin: CouchAdmin;
let proxy: RunningProxy | undefined;
const cleanups: (() => Promise<unknown>)[] = [];

before(async () => {
  if (skip) return;
  const [distPort, ...ports] = await freePorts(HOSTS.length + 1);
  const cookie = randomBytes(16).toString('hex');
  const started = await Promise.allSettled(
    HOSTS.map(async (host, index) =>
      startCouchDb({
        dataDir: join(dataDir, `node${index + 1}`),
        port: ports[index]!,
        distPort: distPort!,
        host,
        cookie,
        password,
        extraIni: [CLUSTER_INI],
        singleNode: false,
      }),
    ),
  );
  for (const result of started) if (result.status === 'fulfilled') nodes.push(result.value);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  // CouchDB's setup refuses a node bound to 127.0.0.1 as coordinator ("Cluster setup requires a
  // remote bind_address"), so the node on 127.0.0.2 joins the others; compose's nodes bind 0.0.0.0.
  await joinCluster(nodes[1]!, [nodes[0]!, nodes[2]!]);
  admin = couchAdmin(nodes[0]!.adminUrl);
  await bootstrap(admin, { sessionTimeoutSeconds: 30 * 24 * 3600 });
  await addUser(admin, 'alice', TEST_PASSWORD, 'inspector');
  proxy = await startProxy({
    couchAdminUrl: nodes[0]!.adminUrl,
    port: await freePort(),
    logger: pino({ level: process.env['LOG_LEVEL'] ?? 'silent' }),
    staticDir: join(dataDir, 'no-app'),
  });
});

after(async () => {
  try {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await proxy?.close();
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/** POST /_cluster_setup on the coordinator, step by step as docker/couchdb/cluster-setup.sh. */
async function joinCluster(coordinator: CouchDbProcess, others: CouchDbProcess[]): Promise<void> {
  const setup = couchAdmin(coordinator.adminUrl);
  const action = (body: Record<string, unknown>) => setup.request({ method: 'POST', path: '_cluster_setup', body });
  const state = async (node: CouchDbProcess) =>
    ((await couchAdmin(node.adminUrl).request({ path: '_cluster_setup' })) as { state: string }).state;
  const credentials = { username: COUCHDB_ADMIN, password };
  const nodeCount = String(others.length + 1);
  if ((await state(coordinator)) === 'cluster_disabled') {
    await action({
      action: 'enable_cluster',
      bind_address: host(coordinator),
      port: port(coordinator),
      node_count: nodeCount,
      ...credentials,
    });
  }
  for (const node of others) {
    if ((await state(node)) === 'cluster_disabled') {
      await action({
        action: 'enable_cluster',
        bind_address: host(node),
        port: port(node),
        node_count: nodeCount,
        remote_node: host(node),
        remote_current_user: COUCHDB_ADMIN,
        remote_current_password: password,
        ...credentials,
      });
    }
    await action({ action: 'add_node', host: host(node), port: port(node), ...credentials });
  }
  await action({ action: 'finish_cluster' });
}

const host = (node: CouchDbProcess) => new URL(node.url).hostname;
const port = (node: CouchDbProcess) => Number(new URL(node.url).port);

test(
  'three nodes joined by /_cluster_setup, Fieldbook bootstrapped with one shard per user database on all of them',
  { skip, timeout: LIMIT },
  async () => {
    const names = nodes.map((node) => node.nodeName).sort();
    // Joined ("all_nodes") and connected ("cluster_nodes"), as cluster-setup.sh waits for.
    const membership = await waitFor(
      async () => {
        const current = (await admin.request({ path: '_membership' })) as { all_nodes: string[]; cluster_nodes: string[] };
        return current.cluster_nodes.length === names.length && current;
      },
      LIMIT,
      'three connected nodes',
    );
    assert.deepEqual([...membership.cluster_nodes].sort(), names);
    assert.deepEqual([...membership.all_nodes].sort(), names);

    const shards = (await admin.request({ path: `${userDbName('alice')}/_shards` })) as { shards: Record<string, string[]> };
    assert.deepEqual(Object.keys(shards.shards), ['00000000-ffffffff'], 'q = 1: one shard range per user database');
    assert.deepEqual([...shards.shards['00000000-ffffffff']!].sort(), names, 'n = 3: a copy on every node');

    // The bootstrap's settings reach every node, and a session made by one node passes on the others.
    for (const node of nodes) {
      const timeout = await admin.request({ path: `_node/${node.nodeName}/_config/chttpd_auth/timeout` });
      assert.equal(timeout, String(30 * 24 * 3600), `session timeout on ${node.nodeName}`);
    }
    const login = await fetch(`${nodes[0]!.url}/_session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'alice', password: TEST_PASSWORD }),
    });
    assert.equal(login.status, 200);
    const cookie = /^[^;]+/.exec(login.headers.get('set-cookie')!)![0];
    for (const node of nodes) {
      const session = (await (await fetch(`${node.url}/_session`, { headers: { cookie } })).json()) as { userCtx: { name: string | null } };
      assert.equal(session.userCtx.name, 'alice', `node 1's cookie on ${node.nodeName}`);
    }
  },
);

test(
  'two devices keep syncing through the proxy while a node is down; nothing is lost and the node catches up',
  { skip, timeout: 2 * LIMIT },
  async () => {
    const dbUrl = `${proxy!.url}/db/${userDbName('alice')}`;
    const server = admin.use(userDbName('alice'));
    const devices = ['tablet', 'phone'].map((name) => {
      const db = localDb(name);
      return { name, db, written: [] as string[] };
    });
    const syncEnded: Promise<never>[] = [];
    for (const device of devices) {
      const remote = remoteDb(dbUrl, { cookie: await loginCookie(proxy!.url, 'alice') }, { keepAlive: false });
      const sync = startLiveSync(device.db, remote);
      cleanups.push(async () => {
        await sync.stop();
        await device.db.destroy();
      });
      // A sync the server ends for good (e.g. 401) fails the test at once, saying why.
      syncEnded.push(
        sync.ended.then((error) =>
          error
            ? Promise.reject(new Error(`the ${device.name}'s sync ended: ${error.status} ${(error as Error).message}`))
            : new Promise<never>(() => undefined),
        ),
      );
    }
    const syncBroken = Promise.race(syncEnded);
    syncBroken.catch(() => undefined);

    // Each device writes steadily, as a tablet in the field does, until told to stop.
    let writing = true;
    const writers = devices.map(async (device) => {
      while (writing) {
        const doc = inspection('alice', { title: `${device.name} ${device.written.length}`, deviceId: device.name });
        await device.db.put(doc);
        device.written.push(doc._id);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    const all = () => devices.flatMap((device) => device.written);
    const has = async (db: { allDocs(): Promise<{ rows: { id: string }[] }> }, ids: string[]) => {
      const present = new Set((await db.allDocs()).rows.map((row) => row.id));
      return ids.every((id) => present.has(id));
    };
    const everywhere = (ids: string[], what: string) =>
      Promise.race([
        syncBroken,
        Promise.all([
          waitFor(() => has({ allDocs: () => server.list() }, ids), LIMIT, `${what} on the server`),
          ...devices.map((device) => waitFor(() => has(device.db, ids), LIMIT, `${what} on the ${device.name}`)),
        ]),
      ]);

    // Node 3's own copy of the user's shard, read node-locally: the clustered database answers
    // from a quorum of copies and would hide a gap in one of them.
    const node3 = nodes[2]!;
    const local = couchAdmin(node3.adminUrl);
    const shard = ((await local.request({ path: '_node/_local/_all_dbs' })) as string[]).find((name) =>
      name.includes(`/${userDbName('alice')}.`),
    );
    assert.ok(shard, `node 3 holds a copy of ${userDbName('alice')}`);
    const shardPath = `_node/_local/${encodeURIComponent(shard)}`;
    const node3Copy = { allDocs: () => local.request({ path: `${shardPath}/_all_docs` }) as Promise<{ rows: { id: string }[] }> };

    let missed: string[];
    try {
      // Syncing in both directions, then node 3 goes down while both devices keep writing.
      await waitFor(async () => all().length >= 40, LIMIT, 'the first writes');
      await everywhere(all(), 'the first writes');
      await node3.stop();
      const atStop = new Set(all());
      await waitFor(async () => all().length >= atStop.size + 40, LIMIT, 'writes while node 3 is down');
      missed = all().filter((id) => !atStop.has(id));
      await everywhere(missed, 'the writes made while node 3 was down');
    } finally {
      writing = false;
      await Promise.all(writers);
    }
    const written = all();
    await everywhere(written, 'every write');

    // Back up, node 3 gets what it missed from the other copies (internal replication).
    await node3.restart();
    await waitFor(() => has(node3Copy, written), LIMIT, "every write in node 3's own copy");
    assert.ok(missed.length >= 40);
    const { doc_count } = (await local.request({ path: shardPath })) as { doc_count: number };
    assert.equal(doc_count, (await server.info()).doc_count, "node 3's copy holds what the cluster holds");
  },
);
