import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { HUB_DB } from '../../domain/db-names';
import { userDbName } from '../../domain/user-db-name';
import { loginCookie, startTestStack, type TestStack } from '../support/couch-harness';
import { checklistItem, defect, inspection } from '../fixtures/documents';
import { waitFor } from '../support/fixtures';

/**
 * The review workflow held by the server (validate_doc_update, built from domain/doc-rules.ts),
 * through the proxy: what the inspector's app would refuse is refused to any client.
 */
let stack: TestStack;
let alice: string;
let sam: string;
before(async () => {
  stack = await startTestStack({ alice: 'inspector', sam: 'supervisor' });
  alice = await loginCookie(stack.proxy.url, 'alice');
  sam = await loginCookie(stack.proxy.url, 'sam');
});
after(() => stack?.stop());

type Doc = Record<string, unknown> & { _id: string; _rev?: string };
const now = () => new Date().toISOString();

async function request(cookie: string, db: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.proxy.url}/db/${db}/${path}`, {
    method,
    headers: { cookie, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Alice writes `doc` into her own database through the proxy, as her tablet's push would. */
async function alicePut(doc: Doc) {
  const written = await request(alice, userDbName('alice'), 'PUT', encodeURIComponent(doc._id), {
    ...doc,
    updatedBy: 'alice',
    updatedAt: now(),
  });
  return written;
}

async function aliceSaves(doc: Doc): Promise<Doc> {
  const written = await alicePut(doc);
  assert.equal(written.status, 201, JSON.stringify(written.body));
  return { ...doc, _rev: written.body['rev'] as string };
}

async function aliceIsRefused(doc: Doc, reason: string) {
  assert.deepEqual(await alicePut(doc), { status: 403, body: { error: 'forbidden', reason } });
}

/** The stored document in alice's database, once `ready` holds for it (replication from the hub). */
function inAlicesDb(id: string, ready: (doc: Doc) => boolean, what: string): Promise<Doc> {
  return waitFor(
    async () => {
      const got = await request(alice, userDbName('alice'), 'GET', encodeURIComponent(id));
      return got.status === 200 && ready(got.body as Doc) && (got.body as Doc);
    },
    60_000,
    what,
  );
}

/** Sam's review in the hub, as the app's HubService writes it: the decision and the defects' copy in one _bulk_docs. */
async function samReviews(inspectionId: string, defectIds: string[], decision: 'approved' | 'rejected') {
  const docs = await Promise.all(
    [inspectionId, ...defectIds].map(async (id) => (await request(sam, HUB_DB, 'GET', encodeURIComponent(id))).body),
  );
  const [reviewed, ...defects] = docs;
  const stamp = { updatedBy: 'sam', updatedAt: now() };
  const written = await request(sam, HUB_DB, 'POST', '_bulk_docs', {
    docs: [{ ...reviewed, status: decision, ...stamp }, ...defects.map((doc) => ({ ...doc, inspectionStatus: decision, ...stamp }))],
  });
  assert.equal(written.status, 201, JSON.stringify(written.body));
  assert.ok(
    (written.body as unknown as { ok?: boolean; error?: string }[]).every((row) => !row.error),
    JSON.stringify(written.body),
  );
}

const SUBMITTED = 'status: a submitted inspection is read-only until a supervisor rejects it';
const SUBMITTED_DEFECT = 'inspectionStatus: the defects of a submitted inspection are read-only until a supervisor rejects it';
const APPROVED = 'status: an approved inspection can only be changed by a supervisor';
const APPROVED_DEFECT = 'inspectionStatus: the defects of an approved inspection can only be changed by a supervisor';

describe('the review workflow, enforced by the server through the proxy', () => {
  test('submit needs answers; submitted and approved are read-only for the inspector; a rejection opens them again', async () => {
    let draft = await aliceSaves(
      inspection('alice', { title: 'Boiler room', checklist: [checklistItem('c1', 'pass'), checklistItem('c2')] }),
    );
    let leak = await aliceSaves(defect('alice', draft._id, { title: 'Leak', severity: 3 }));

    // Submitting with an unanswered item is refused, and N/A is an answer.
    await aliceIsRefused({ ...draft, status: 'submitted' }, 'checklist[1].result: must be answered (or marked N/A) before submitting');
    const answered = [checklistItem('c1', 'pass'), checklistItem('c2', 'na')];
    draft = await aliceSaves({ ...draft, status: 'submitted', checklist: answered });
    leak = await aliceSaves({ ...leak, inspectionStatus: 'submitted' });

    // Submitted: read-only for alice, her defect too, deletion included.
    await aliceIsRefused({ ...draft, title: 'Renamed' }, SUBMITTED);
    await aliceIsRefused({ ...draft, status: 'draft' }, SUBMITTED);
    await aliceIsRefused({ _id: draft._id, _rev: draft._rev, _deleted: true }, SUBMITTED);
    await aliceIsRefused({ ...leak, title: 'Small leak', severity: 1 }, SUBMITTED_DEFECT);
    await aliceIsRefused({ ...leak, inspectionStatus: undefined, severity: 1 }, SUBMITTED_DEFECT);
    await aliceIsRefused({ _id: leak._id, _rev: leak._rev, _deleted: true }, SUBMITTED_DEFECT);

    // Both reach the hub (fan-in); sam approves there; the approval comes back to alice's database.
    for (const id of [draft._id, leak._id]) {
      await waitFor(async () => (await request(sam, HUB_DB, 'GET', encodeURIComponent(id))).status === 200, 60_000, `${id} in the hub`);
    }
    await samReviews(draft._id, [leak._id], 'approved');
    draft = await inAlicesDb(draft._id, (doc) => doc['status'] === 'approved', 'the approval in alice’s database');
    leak = await inAlicesDb(leak._id, (doc) => doc['inspectionStatus'] === 'approved', 'the approved defect in alice’s database');

    // Approved: renaming the defect and changing its severity, what partners would have received, is refused.
    await aliceIsRefused({ ...leak, title: 'Renamed after approval', severity: 1 }, APPROVED_DEFECT);
    await aliceIsRefused({ ...leak, inspectionStatus: 'draft' }, APPROVED_DEFECT);
    await aliceIsRefused({ ...draft, title: 'Renamed after approval' }, APPROVED);
    await aliceIsRefused({ _id: leak._id, _rev: leak._rev, _deleted: true }, APPROVED_DEFECT);
    // Nor may she approve anything herself.
    const other = await aliceSaves(defect('alice', draft._id, { title: 'Crack' }));
    await aliceIsRefused({ ...other, inspectionStatus: 'approved' }, 'inspectionStatus: only a supervisor may approve or reject');

    // A supervisor reopens it: rejected, and alice may edit both again.
    await samReviews(draft._id, [leak._id], 'rejected');
    draft = await inAlicesDb(draft._id, (doc) => doc['status'] === 'rejected', 'the rejection in alice’s database');
    leak = await inAlicesDb(leak._id, (doc) => doc['inspectionStatus'] === 'rejected', 'the reopened defect in alice’s database');
    await aliceSaves({ ...leak, title: 'Small leak', severity: 2 });
    draft = await aliceSaves({ ...draft, title: 'Boiler room, again' });
    await aliceSaves({ ...draft, status: 'submitted' });
  });
});
