import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { auditEntry, auditIdRange } from '../../domain/audit-entry';
import { HUB_DB } from '../../domain/db-names';
import type { AuditEntry } from '../../domain/doc-types';
import { userDbName } from '../../domain/user-db-name';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';
import { PouchDB, remoteDb } from '../support/node-pouch';

/**
 * Every save reaches the server, not only the revision that wins: a device offline for five
 * edits of one inspection holds a single revision of it (auto-compaction), and five audit
 * entries, which replicate like any document, through the proxy into the user's database and
 * on into the hub. The server keeps them append-only (validate_doc_update from domain/doc-rules.ts).
 */
let stack: TestStack;
let cookie: string;
let aliceDb: string;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', sam: 'supervisor' });
  cookie = await loginCookie(stack.proxy.url, 'alice');
  aliceDb = `${stack.proxy.url}/db/${userDbName('alice')}`;
});
after(() => stack?.stop());

/** The entries of `docId` in a server database, read as admin, oldest first. */
async function serverEntries(db: string, docId: string): Promise<AuditEntry[]> {
  const { rows } = await stack.admin.use(db).list({ ...auditIdRange(docId), include_docs: true });
  return rows.map((row) => row.doc as unknown as AuditEntry);
}

async function request(user: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.proxy.url}/db/${path}`, {
    method,
    headers: { cookie: user, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the audit trail on the server', () => {
  test('five offline edits of one inspection reach the user’s database and the hub as five entries; none can be changed or deleted', async () => {
    const device = new PouchDB(`audit-device-${process.pid}-${Date.now()}`, { adapter: 'memory', auto_compaction: true });
    // Offline: five saves, each the record and its entry in one bulkDocs, as DocWriterService writes them.
    let doc: Record<string, unknown> & { _id: string; _rev?: string } = inspection('alice', { title: 'Edit 0' });
    let before: Record<string, unknown> | null = null;
    for (let edit = 1; edit <= 5; edit++) {
      const at = new Date(Date.UTC(2026, 11, 2, 9, 0, edit)).toISOString();
      const next = { ...doc, title: `Edit ${edit}`, updatedBy: 'alice', updatedAt: at, deviceId: 'device-a', deviceName: 'Tablet A' };
      const entry = auditEntry({ before, after: next, stamp: next }, `r${edit}`);
      const [, written] = await device.bulkDocs([entry, next]);
      assert.ok('rev' in written && written.rev, JSON.stringify(written));
      before = { ...next, _rev: written.rev };
      doc = before as typeof doc;
    }
    // The device keeps only the last revision of the record's content.
    const revs = (await device.get(doc._id, { revs_info: true })) as unknown as { _revs_info: { status: string }[] };
    assert.equal(revs._revs_info.filter((info) => info.status === 'available').length, 1);

    // Back online: one push.
    const push = await device.replicate.to(remoteDb(aliceDb, { cookie }));
    assert.deepEqual(push.errors, []);

    const expected = [1, 2, 3, 4, 5].map((edit) => [`Edit ${edit - 1}`, `Edit ${edit}`]);
    const titles = (entries: AuditEntry[]) => entries.map((entry) => [entry.changes[0]?.before, entry.changes[0]?.after]);
    const own = await serverEntries(userDbName('alice'), doc._id);
    assert.deepEqual(titles(own), [[undefined, 'Edit 1'], ...expected.slice(1)]);
    assert.deepEqual(
      own.map((entry) => [entry.action, entry.user, entry.deviceName, entry.revPos]),
      [1, 2, 3, 4, 5].map((n) => [n === 1 ? 'create' : 'update', 'alice', 'Tablet A', n]),
    );
    // Fan-in carries them to the hub, where the supervisor reads the inspection.
    const inHub = await waitFor(
      async () => {
        const entries = await serverEntries(HUB_DB, doc._id);
        return entries.length === 5 && entries;
      },
      60_000,
      'five entries in the hub',
    );
    assert.deepEqual(titles(inHub), titles(own));

    // Append-only, in her database and in the hub, for her and for a supervisor.
    const sam = await loginCookie(stack.proxy.url, 'sam');
    const [first] = own;
    const path = (db: string) => `${db}/${encodeURIComponent(first._id)}`;
    const changed = { ...first, changes: [] };
    assert.deepEqual(await request(cookie, 'PUT', path(userDbName('alice')), changed), {
      status: 403,
      body: { error: 'forbidden', reason: '_id: audit entries cannot be changed' },
    });
    assert.deepEqual(await request(cookie, 'DELETE', `${path(userDbName('alice'))}?rev=${first._rev}`), {
      status: 403,
      body: { error: 'forbidden', reason: '_id: audit entries cannot be deleted' },
    });
    const hubCopy = inHub[0];
    assert.deepEqual(await request(sam, 'PUT', path(HUB_DB), { ...hubCopy, changes: [] }), {
      status: 403,
      body: { error: 'forbidden', reason: '_id: audit entries cannot be changed' },
    });
    assert.deepEqual(await request(sam, 'DELETE', `${path(HUB_DB)}?rev=${hubCopy._rev}`), {
      status: 403,
      body: { error: 'forbidden', reason: '_id: audit entries cannot be deleted' },
    });
    // Nor may she write an entry in another's name.
    const forged = { ...first, _id: `${first._id}x`, _rev: undefined, user: 'sam' };
    assert.deepEqual(await request(cookie, 'PUT', `${userDbName('alice')}/${encodeURIComponent(forged._id)}`, forged), {
      status: 403,
      body: { error: 'forbidden', reason: 'user: must be your own user name' },
    });
    assert.equal((await serverEntries(userDbName('alice'), doc._id)).length, 5);
  });

  test('a merge’s entry and tombstone that a second tablet pushes again (both merged the same conflict) are taken as already there, at once', async () => {
    const revId = (n: number, digit: string) => `${n}-${digit.repeat(32)}`;
    const revisions = (...ids: string[]) => ({ start: ids.length, ids: ids.map((id) => id.repeat(32)) });
    const record = inspection('alice', { title: 'Branching' });
    const versions = [
      { ...record, _rev: revId(1, 'a'), _revisions: revisions('a') },
      { ...record, title: 'From A', _rev: revId(2, 'b'), _revisions: revisions('b', 'a') },
      { ...record, title: 'From B', _rev: revId(2, 'c'), _revisions: revisions('c', 'a') },
    ];
    const stamp = { updatedBy: 'alice', updatedAt: '2026-12-02T09:00:03.000Z', deviceId: 'auto-merge' };
    const entry = {
      ...auditEntry({ before: versions[1], after: { ...versions[2], ...stamp }, stamp }, 'same'),
      _rev: revId(1, 'd'),
      _revisions: revisions('d'),
    };
    const tombstone = {
      _id: record._id,
      _rev: revId(3, 'e'),
      _deleted: true,
      mergedInto: revId(2, 'c'),
      _revisions: revisions('e', 'b', 'a'),
    };
    // What a replicator's push is answered: the status and its refusals (CouchDB names their revisions too).
    const push = async (docs: object[]) => {
      const response = await fetch(`${aliceDb}/_bulk_docs`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ docs, new_edits: false }),
        signal: AbortSignal.timeout(20_000),
      });
      const answers = (await response.json()) as { id: string; error: string; reason: string }[];
      return [response.status, answers.map(({ id, error, reason }) => ({ id, error, reason }))];
    };

    assert.deepEqual(await push(versions), [201, []]);
    // The first tablet's push, then the second's: PouchDB Server refused the entry as changed, and
    // with the tombstone beside it answered nothing at all (the tablet's push hung).
    assert.deepEqual(await push([entry, tombstone]), [201, []]);
    assert.deepEqual(await push([entry, tombstone]), [201, []]);
    assert.deepEqual(await push([entry]), [201, []]);
    // A refused document beside one already there: answered, the refusal alone.
    const forged = { ...entry, _id: `${entry._id}x`, user: 'sam' };
    assert.deepEqual(await push([forged, tombstone]), [
      201,
      [{ id: forged._id, error: 'forbidden', reason: 'user: must be your own user name' }],
    ]);
    const [stored] = await serverEntries(userDbName('alice'), record._id);
    assert.equal(stored?._rev, entry._rev);
  });
});
