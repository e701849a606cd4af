import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyResolution } from '../../domain/conflicts/apply-resolution';
import { revisionFetcher, type BulkDocsRow, type ConflictDb } from '../../domain/conflicts/conflict-db';
import { resolutionBulkDocs, resolveMerge } from '../../domain/conflicts/conflict-resolution';
import { findConflictedDocs, mergeConflictedDoc } from '../../domain/conflicts/conflicted-docs';
import { withResolutionAudit } from '../../domain/conflicts/resolution-audit';
import { HUB_DB } from '../../domain/db-names';
import { userDbName } from '../../domain/user-db-name';
import { inspection } from '../fixtures/documents';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { waitFor } from '../support/fixtures';

/**
 * A conflict the hub's own merge leaves for a person (proxy/hub-conflict-merge.ts), settled by a
 * supervisor from the review page: the server's validate_doc_update accepts, from a supervisor,
 * what the app writes (ResolutionWriterService through HubService), on both servers.
 */
let stack: TestStack;
let sam: string;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', bob: 'inspector', sam: 'supervisor' });
  sam = await loginCookie(stack.proxy.url, 'sam');
});
after(() => stack?.stop());

type Doc = Record<string, unknown> & { _id: string; _rev: string };
const hub = () => stack.admin.use<Record<string, unknown>>(HUB_DB);
const userDb = (name: string) => stack.admin.use<Record<string, unknown>>(userDbName(name));

/** The hub as sam's browser reaches it: through the proxy, with his session. */
function hubAsSam(): ConflictDb {
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${stack.proxy.url}/db/${HUB_DB}/${path}`, {
      ...init,
      headers: { cookie: sam, accept: 'application/json', 'content-type': 'application/json' },
    });
    const body = await response.json();
    if (!response.ok) throw Object.assign(new Error(JSON.stringify(body)), { status: response.status });
    return body;
  };
  return {
    get: ((id: string, options: Record<string, unknown>) =>
      call(
        `${encodeURIComponent(id)}?${new URLSearchParams(Object.entries(options).map(([key, value]) => [key, String(value)]))}`,
      )) as ConflictDb['get'],
    bulkDocs: (docs) => call('_bulk_docs', { method: 'POST', body: JSON.stringify({ docs }) }) as Promise<BulkDocsRow[]>,
  };
}

describe('a supervisor settles a hub conflict that needs a choice', () => {
  test('the result, the losing version’s end and the audit entry pass the hub’s rules, and the result reaches the new assignee', async () => {
    // Assigned to alice, then reassigned to bob with a new date, while alice's tablet, offline,
    // moved the date too: both changed it, so the hub's merge leaves it.
    const assignment = inspection('sam', { title: 'Raced boiler check', assignedTo: 'alice', scheduledFor: '2026-11-24' });
    await hub().insert(assignment);
    await waitFor(
      () =>
        userDb('alice')
          .get(assignment._id)
          .catch(() => null),
      60_000,
      'the assignment in alice’s database',
    );
    const first = (await hub().get(assignment._id)) as Doc;
    const reassigned = { ...first, assignedTo: 'bob', unassignedFrom: 'alice', scheduledFor: '2026-12-01', updatedBy: 'sam' };
    const reassignedRev = (await hub().insert(reassigned)).rev;
    const hash = 'f'.repeat(32);
    const offline = {
      ...first,
      scheduledFor: '2026-11-30',
      notes: 'Moved: the boiler room is locked until then',
      updatedBy: 'alice',
      updatedAt: new Date().toISOString(),
      _rev: `2-${hash}`,
      _revisions: { start: 2, ids: [hash, first._rev.split('-')[1]] },
    };
    await userDb('alice').bulk({ docs: [offline], new_edits: false });

    const db = hubAsSam();
    const [conflicted] = await waitFor(
      async () => {
        const found = await findConflictedDocs(db, [assignment._id]);
        return found.length > 0 && found;
      },
      60_000,
      'the conflict in the hub',
    );
    assert.deepEqual(
      conflicted.leaves.map((leaf) => leaf._rev),
      [offline._rev, reassignedRev],
    );
    const merge = await mergeConflictedDoc(db, conflicted);
    assert.deepEqual(
      merge.conflicts.map((conflict) => conflict.path),
      ['scheduledFor'],
    );

    const stamp = { updatedBy: 'sam', updatedAt: new Date().toISOString(), deviceId: 'desk-sam' };
    const resolution = resolveMerge(merge, { scheduledFor: reassignedRev }, { mergedBy: 'sam', mergedAt: stamp.updatedAt });
    const writes = await resolutionBulkDocs({ ...resolution, doc: { ...resolution.doc!, ...stamp } }, revisionFetcher(db, assignment._id));
    const applied = await applyResolution(
      withResolutionAudit(db, () => stamp),
      writes,
      resolution.leaves,
      { name: 'sam', roles: ['supervisor'] },
    );
    assert.equal(applied.status, 'written', JSON.stringify(applied));

    const settled = (await hub().get(assignment._id, { conflicts: true })) as Doc & { _conflicts?: string[] };
    assert.equal(settled._conflicts, undefined);
    assert.deepEqual(
      [settled['assignedTo'], settled['unassignedFrom'], settled['scheduledFor'], settled['notes'], settled['updatedBy']],
      ['bob', 'alice', '2026-12-01', 'Moved: the boiler room is locked until then', 'sam'],
    );
    const entries = await hub().list({
      startkey: `audit:${assignment._id}:`,
      endkey: `audit:${assignment._id}:\ufff0`,
      include_docs: true,
    });
    assert.ok(
      entries.rows.some((row) => row.doc?.['merge'] === true && row.doc['user'] === 'sam' && row.doc['baseRev'] === offline._rev),
      JSON.stringify(entries.rows.map((row) => row.doc)),
    );
    await waitFor(
      async () =>
        (
          await userDb('bob')
            .get(assignment._id)
            .catch(() => null)
        )?._rev === settled._rev,
      60_000,
      'the settled inspection in bob’s database',
    );
  });
});
