import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { DocumentScope } from 'nano';
import { migrateDatabase, migrateServer } from '../../couch/migrate';
import { autoResolveConflicts } from '../../domain/conflicts/auto-resolve';
import { findConflictedDocs } from '../../domain/conflicts/conflicted-docs';
import { HUB_DB } from '../../domain/db-names';
import { migrateDoc, schemaVersions } from '../../domain/schema-versions';
import { userDbName } from '../../domain/user-db-name';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { defect, inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { startLiveSync } from '../support/live-sync';
import { localDb, remoteDb } from '../support/node-pouch';
import { PULL_OPTIONS, PUSH_OPTIONS } from '../../src/app/core/replication-options';

type Doc = Record<string, unknown> & { _id: string; _rev: string; _conflicts?: string[] };

let stack: TestStack;
before(async () => {
  stack = await startTestStack({
    alice: 'inspector',
    bob: 'inspector',
    gina: 'inspector',
    hank: 'inspector',
    ivy: 'inspector',
  });
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

/** `npm run migrate` as a process on the test server: its exit code and what it printed. */
async function migrateCli(args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'couch/migrate-cli.ts', ...args], {
    env: { ...process.env, COUCH_URL: stack.couch.adminUrl },
  });
  return run.then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

/** A user's database that no replication touches, as `npm run migrate` finds it. */
async function standaloneDb(name: string): Promise<DocumentScope<Doc>> {
  await stack.admin.db.create(userDbName(name));
  return stack.admin.use<Doc>(userDbName(name));
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

    // The next run walks every database from the start again (past an older release's progress
    // record too): the rest of bob's records, in his database or in the hub (whence they replicate).
    await bobDb.insert({ ...(await bobDb.get('_local/fieldbook-migration')), target: 'an older release' } as never);
    const { code, stdout } = await migrateCli();
    assert.equal(code, 0);
    assert.match(stdout, new RegExp(`^${userDbName('bob')}: \\d+ looked at, \\d+ migrated$`, 'm'));
    const total = /^(\d+) record\(s\) migrated in \d+ database\(s\)$/m.exec(stdout);
    assert.ok(total && Number(total[1]) >= 600, stdout);
    assert.ok((await records(bobDb, sorted)).every((doc) => doc['schema'] === 2));
  });

  test('a rerun migrates the old records written since a finished run, whatever that run left in its progress record', async () => {
    const db = await standaloneDb('carol');
    const target = JSON.stringify(schemaVersions());
    const progress = () => db.get('_local/fieldbook-migration').catch(() => ({}));
    const leftBehind = [
      ['a finished run', async () => undefined],
      // The release before marked a walked database done, and never looked at it again.
      [
        'a run of the release before',
        async () => db.insert({ ...(await progress()), since: undefined, target, lastId: '\ufff0', done: true } as never),
      ],
      // Written through the proxy by the database's user, say.
      ['a record it cannot read', async () => db.insert({ ...(await progress()), target, lastId: 7, done: 'yes' } as never)],
    ] as const;
    await migrateDatabase(stack.admin, userDbName('carol'));
    for (const [state, leave] of leftBehind) {
      await leave();
      // From a tablet still on the old release, after that run.
      const later = inspection('carol', { title: `Written after ${state}` });
      await db.bulk({ docs: [later] });
      const rerun = await migrateDatabase(stack.admin, userDbName('carol'));
      assert.deepEqual(rerun, { db: userDbName('carol'), migrated: 1, failed: [] }, state);
      assert.equal((await db.get(later._id))['schema'], 2, state);
    }
  });

  test('a rerun after a finished walk reads only what changed since, from its changes feed', async () => {
    const db = await standaloneDb('frank');
    const run = async () => {
      const lines: string[] = [];
      const { migrated, failed } = await migrateDatabase(stack.admin, userDbName('frank'), (line) => lines.push(line));
      assert.deepEqual(failed, []);
      return { migrated, lines };
    };
    await db.bulk({ docs: Array.from({ length: 700 }, (_, n) => inspection('frank', { title: `Old ${n}` })) });
    assert.deepEqual(await run(), {
      migrated: 700,
      lines: [`${userDbName('frank')}: 500 looked at, 500 migrated`, `${userDbName('frank')}: 700 looked at, 700 migrated`],
    });
    // What that walk wrote is read once more (changes made meanwhile are among them), then not again.
    assert.equal((await run()).migrated, 0);

    const later = [inspection('frank', { title: 'Old, after the walk' }), migrateDoc(inspection('frank', { title: 'Current' }))];
    await db.bulk({ docs: later });
    assert.deepEqual(await run(), {
      migrated: 1,
      lines: [`${userDbName('frank')}: reading the changes since the last run`, `${userDbName('frank')}: 2 looked at, 1 migrated`],
    });
    assert.equal((await db.get(later[0]._id))['schema'], 2);
  });

  test('a record refused once is migrated by the next run once the cause is gone, which then exits 0', async () => {
    const db = await standaloneDb('dave');
    const refused = inspection('dave', { title: 'Refused once' });
    await db.bulk({ docs: [refused] });
    // Stands for any cause: rules that refuse the new shape for a while, a record that kept changing.
    const refusal = await db.insert({
      _id: '_design/refuse-version-2',
      validate_doc_update: "function (doc) { if (doc.schema === 2) throw { forbidden: 'not yet' }; }",
    } as never);

    const first = await migrateCli();
    assert.equal(first.code, 1);
    assert.match(first.stderr, new RegExp(`^not migrated: ${userDbName('dave')} ${refused._id}: not yet$`, 'm'));
    assert.match(first.stdout, new RegExp(`^${userDbName('dave')}: \\d+ looked at, 0 migrated, 1 failed$`, 'm'));
    assert.match(first.stdout, /^\d+ record\(s\) migrated in \d+ database\(s\), 1 not$/m);
    assert.equal((await db.get(refused._id))['schema'], undefined);

    await db.destroy(refusal.id, refusal.rev);
    const next = await migrateCli();
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stdout, new RegExp(`^${userDbName('dave')}: \\d+ looked at, 1 migrated$`, 'm'));
    assert.match(next.stdout, /^\d+ record\(s\) migrated in \d+ database\(s\)$/m);
    assert.equal((await db.get(refused._id))['schema'], 2);
  });

  test('an argument it does not take (an admin asking for help or a dry run) is told the usage, exit 2, and nothing is migrated', async () => {
    const db = await standaloneDb('jack');
    const old = inspection('jack', { title: 'Not yet' });
    await db.bulk({ docs: [old] });
    for (const args of [['--help'], ['--dry-run'], ['userdb-6a61636b']]) {
      const { code, stdout, stderr } = await migrateCli(args);
      assert.deepEqual([code, stdout, stderr], [2, '', 'usage: npm run migrate\n'], args.join(' '));
    }
    assert.equal((await db.get(old._id))['schema'], undefined);
    await assert.rejects(db.get('_local/fieldbook-migration'), { statusCode: 404 });
  });

  test('every side of a conflict is migrated on its own branch, and the conflict stays for a person to resolve', async () => {
    const db = await standaloneDb('erin');
    const base = inspection('erin', { title: 'One side' });
    await db.bulk({
      docs: [
        { ...base, _rev: '1-aaa' },
        { ...base, title: 'Other side', _rev: '1-bbb' },
      ],
      new_edits: false,
    });

    const result = await migrateDatabase(stack.admin, userDbName('erin'));
    assert.equal(result.migrated, 2);
    const [winner] = await records(db, [base._id]);
    assert.equal(winner._conflicts?.length, 1);
    const loser = await db.get(base._id, { rev: winner._conflicts![0] });
    assert.deepEqual([winner, loser].map((side) => [side['schema'], side['priority'], side._rev.slice(0, 2)]).sort(), [
      [2, 'normal', '2-'],
      [2, 'normal', '2-'],
    ]);
    assert.deepEqual([winner['title'], loser['title']].sort(), ['One side', 'Other side']);
  });

  test('a conflict the hub holds too is migrated in the user’s database, whichever side the hub’s migration made the winner', async () => {
    const db = await standaloneDb('jill');
    const base = inspection('jill', { title: 'One side' });
    const one = { ...base, _rev: '1-aaa' };
    const other = { ...base, title: 'Other side', _rev: '1-bbb' };
    await db.bulk({ docs: [one, other], new_edits: false });
    // The hub migrated both sides on their own branches, and the winner became one side's there
    // while the other wins here.
    const migratedTo = (side: Doc, hash: string) => ({
      ...migrateDoc(side),
      _rev: `2-${hash}`,
      _revisions: { start: 2, ids: [hash, side._rev.slice(2)] },
    });
    await stack.admin.use<Doc>(HUB_DB).bulk({ docs: [migratedTo(one, 'fff'), migratedTo(other, '111')], new_edits: false });
    const [winnerHere] = await records(db, [base._id]);
    assert.equal(winnerHere._rev, '1-bbb');

    const result = await migrateDatabase(stack.admin, userDbName('jill'));
    assert.deepEqual([result.migrated, result.failed], [2, []]);
    const [winner] = await records(db, [base._id]);
    const loser = await db.get(base._id, { rev: winner._conflicts![0] });
    assert.deepEqual([winner['schema'], loser['schema']], [2, 2]);
  });

  test('a record deleted on a tablet while the server migrated it stays deleted: the app merges the deletion by itself', async () => {
    const gina = { name: 'gina', roles: ['inspector'] };
    const device = localDb('gina');
    const remote = remoteDb(`${stack.proxy.url}/db/${userDbName('gina')}`, { cookie: await loginCookie(stack.proxy.url, 'gina') });
    const sync = async () => {
      await device.replicate.to(remote, PUSH_OPTIONS);
      await device.replicate.from(remote, PULL_OPTIONS);
    };
    try {
      const old = inspection('gina', { title: 'Deleted offline' });
      const { rev } = await device.put(old);
      await sync();
      // Out of coverage, the inspector deletes it (DocWriterService.remove); meanwhile the admin runs `npm run migrate`.
      const now = new Date().toISOString();
      await device.put({ _id: old._id, _rev: rev, _deleted: true, updatedBy: 'gina', updatedAt: now, deviceId: 'test-device' });
      assert.equal((await migrateDatabase(stack.admin, userDbName('gina'))).migrated, 1);
      await sync();

      // The migrated revision wins over the deletion: the inspection is back, in conflict; the app's auto-merge (ConflictResolverService.autoResolve) ends it.
      const [outcome] = await autoResolveConflicts(device, await findConflictedDocs(device, [old._id]), {
        mergedBy: 'gina',
        updatedBy: 'gina',
        userCtx: gina,
      });
      assert.deepEqual([outcome.status, outcome.status === 'resolved' && outcome.deleted], ['resolved', true], JSON.stringify(outcome));
      await assert.rejects(device.get(old._id), { status: 404 });
      await sync();
      await assert.rejects(stack.admin.use<Doc>(userDbName('gina')).get(old._id), { statusCode: 404 });
    } finally {
      await device.destroy();
    }
  });

  test('an inspection taken from an inspector stays as the hub has it: the stale copy in their database is not migrated into a conflict, nor a deletion undone', async () => {
    const hub = stack.admin.use<Doc>(HUB_DB);
    const hankDb = stack.admin.use<Doc>(userDbName('hank'));
    const revIn = (db: DocumentScope<Doc>, id: string) =>
      db.get(id).then(
        (doc) => doc._rev,
        () => undefined,
      );
    const edit = async (id: string, fields: Record<string, unknown>) =>
      (await hub.insert({ ...(await hub.get(id)), ...fields, updatedBy: 'sam', updatedAt: new Date().toISOString() })).rev;
    // Written by the release before, assigned to hank, then given to ivy: hank's database keeps the reassigning revision.
    const [changed, deleted] = ['Changed since', 'Deleted since'].map((title) => inspection('sam', { title, assignedTo: 'hank' }));
    await hub.bulk({ docs: [changed, deleted] as Doc[] });
    for (const doc of [changed, deleted]) {
      const reassigning = await edit(doc._id, { assignedTo: 'ivy', unassignedFrom: 'hank' });
      await waitFor(async () => (await revIn(hankDb, doc._id)) === reassigning, 60_000, 'the reassignment in hank’s database');
    }
    // Later, in the hub: a note for ivy, and a deletion (with the body, as the replication selectors need).
    await edit(changed._id, { notes: 'Bring the long ladder.' });
    await edit(deleted._id, { _deleted: true });

    const results = await migrateServer(stack.admin);
    assert.deepEqual(
      results.flatMap((result) => result.failed),
      [],
    );
    // Written after the migration into hank's database: once it is in the hub, what the fan-in had to carry is there.
    const marker = inspection('hank', { title: 'Marker' });
    await hankDb.insert(marker as never);
    await waitFor(() => hub.get(marker._id).catch(() => null), 60_000, 'the marker in the hub');

    const [inHub, gone] = await records(hub, [changed._id, deleted._id]);
    assert.deepEqual(
      [inHub['notes'], inHub['schema'], inHub._conflicts ?? [], gone ? `${gone['title']} is back` : 'still deleted'],
      ['Bring the long ladder.', 2, [], 'still deleted'],
    );
  });
});
