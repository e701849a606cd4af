import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { DocumentScope } from 'nano';
import { migrateDatabase, migrateServer } from '../../couch/migrate';
import { HUB_DB } from '../../domain/db-names';
import { schemaVersions } from '../../domain/schema-versions';
import { userDbName } from '../../domain/user-db-name';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { defect, inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { startLiveSync } from '../support/live-sync';
import { localDb, remoteDb } from '../support/node-pouch';

type Doc = Record<string, unknown> & { _id: string; _rev: string; _conflicts?: string[] };

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', bob: 'inspector' });
});
after(() => stack?.stop());

/** A tablet of `name` on the release before schema versions, live-syncing its database through the proxy. */
async function oldTablet(name: string) {
  const device = localDb(name);
  const remote = remoteDb(`${stack.proxy.url}/db/${userDbName(name)}`, { cookie: await loginCookie(stack.proxy.url, name) });
  const live = startLiveSync(device, remote);
  return {
    device,
    remote,
    async close() {
      await live.stop();
      await device.destroy();
    },
  };
}

/** The winning revisions of `ids`, with their conflicts. */
async function records(db: DocumentScope<Doc>, ids: string[]): Promise<Doc[]> {
  const { rows } = await db.fetch({ keys: ids }, { conflicts: true });
  return rows.map((row) => ('doc' in row ? (row.doc as Doc) : (null as never)));
}

describe('npm run migrate', () => {
  test('brings every record on the server to its current version, in the user’s database and the hub alike, without conflicts; an old tablet keeps syncing', async () => {
    const alice = await oldTablet('alice');
    try {
      // Written by the previous release: no schema, no priority.
      const inspections = Array.from({ length: 30 }, (_, n) => inspection('alice', { title: `Old ${n}` }));
      const defects = [defect('alice', inspections[0]._id)];
      await alice.device.bulkDocs([...inspections, ...defects]);
      const ids = [...inspections, ...defects].map((doc) => doc._id);
      const userDb = stack.admin.use<Doc>(userDbName('alice'));
      const hub = stack.admin.use<Doc>(HUB_DB);
      await waitFor(async () => (await records(hub, ids)).every(Boolean), 60_000, 'the old records in the hub');

      const lines: string[] = [];
      const results = await migrateServer(stack.admin, (line) => lines.push(line));
      // Each copy migrated once: in the hub, or in alice's database, or replicated there from the
      // other, which became the same revision either way.
      assert.deepEqual(
        results.flatMap((result) => result.failed),
        [],
      );
      const migrated = results.filter((result) => result.db === HUB_DB || result.db === userDbName('alice'));
      assert.ok(migrated.reduce((sum, result) => sum + result.migrated, 0) >= 30);
      assert.ok(
        lines.some((line) => /^userdb-616c696365: \d+ looked at, \d+ migrated$/.test(line)),
        lines.join('\n'),
      );

      for (const db of [userDb, hub]) {
        const docs = await records(db, ids);
        const migrated = docs.filter((doc) => doc['type'] === 'inspection');
        // Its shape, and nothing else: who changed it last and when stay as they were.
        const written = new Map(inspections.map((doc) => [doc._id, doc.updatedAt]));
        assert.ok(
          migrated.every((doc) => doc['schema'] === 2 && doc['priority'] === 'normal' && doc['updatedAt'] === written.get(doc._id)),
        );
        assert.equal(docs.find((doc) => doc['type'] === 'defect')!['schema'], undefined, 'defects are current at version 1');
      }
      // The migrated revisions come down to the old tablet, and the replications between the
      // user's database and the hub leave no conflict behind.
      const inspectionIds = inspections.map((doc) => doc._id);
      await waitFor(
        async () =>
          (await alice.device.allDocs({ keys: inspectionIds, include_docs: true })).rows.every(
            (row) => (row as { doc?: Doc }).doc?.['schema'] === 2,
          ),
        60_000,
        'the migrated records on the old tablet',
      );
      for (const db of [userDb, hub]) {
        assert.deepEqual(
          (await records(db, ids)).filter((doc) => doc._conflicts?.length),
          [],
        );
      }

      // Idempotent: a rerun has nothing left to do.
      const again = await migrateServer(stack.admin);
      assert.deepEqual(
        again.filter((result) => result.migrated || result.failed.length),
        [],
      );

      // The old tablet goes on writing version 1, and the server takes it.
      const later = inspection('alice', { title: 'Written by the old release' });
      await alice.device.put(later);
      await waitFor(() => userDb.get(later._id).catch(() => null), 60_000, 'the old release’s new record on the server');
      const edited = (await alice.device.get<Doc>(inspections[1]._id)) as Doc;
      await alice.device.put({ ...edited, title: 'Edited by the old release' });
      await waitFor(async () => (await userDb.get(edited._id))['title'] === 'Edited by the old release', 60_000, 'the old release’s edit');
    } finally {
      await alice.close();
    }
  });

  test('refuses a version newer than the server knows, saying which it accepts', async () => {
    const cookie = await loginCookie(stack.proxy.url, 'alice');
    const newer = inspection('alice', { schema: schemaVersions()['inspection'].current + 1, priority: 'normal' });
    const response = await fetch(`${stack.proxy.url}/db/${userDbName('alice')}/${encodeURIComponent(newer._id)}`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(newer),
    });
    assert.equal(response.status, 403);
    assert.match(((await response.json()) as { reason: string }).reason, /^schema: version 3 is newer than these rules know \(1 to 2\)/);
  });

  test('a run that stopped halfway resumes where it stopped; the compiled-like CLI migrates the rest and says so', async () => {
    const bobDb = stack.admin.use<Doc>(userDbName('bob'));
    const old = Array.from({ length: 1_200 }, (_, n) => inspection('bob', { title: `Old ${n}` }));
    await bobDb.bulk({ docs: old });
    const sorted = old.map((doc) => doc._id).sort();
    // As an interrupted run leaves it: the first 600 looked at (and, here, left as they were).
    const earlier = await bobDb.get('_local/fieldbook-migration').catch(() => null);
    await bobDb.insert({
      _id: '_local/fieldbook-migration',
      _rev: earlier?._rev,
      target: JSON.stringify(schemaVersions()),
      lastId: sorted[599],
      done: false,
    } as never);

    const resumed = await migrateDatabase(stack.admin, userDbName('bob'));
    assert.equal(resumed.migrated, 600);
    const docs = await records(bobDb, sorted);
    assert.ok(docs.slice(0, 600).every((doc) => doc['schema'] === undefined));
    assert.ok(docs.slice(600).every((doc) => doc['schema'] === 2));

    // A later release's run walks again from the start (a new target), as `npm run migrate` does it.
    await bobDb.insert({ ...(await bobDb.get('_local/fieldbook-migration')), target: 'an older release' } as never);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'couch/migrate-cli.ts'], {
      env: { ...process.env, COUCH_URL: stack.couch.adminUrl },
    });
    assert.match(stdout, new RegExp(`^${userDbName('bob')}: \\d+ looked at, 600 migrated$`, 'm'));
    assert.match(stdout, new RegExp(`^${userDbName('alice')}: already migrated$`, 'm'));
    assert.match(stdout, /^600 record\(s\) migrated in \d+ database\(s\)$/m);
    assert.ok((await records(bobDb, sorted)).every((doc) => doc['schema'] === 2));
  });
});
