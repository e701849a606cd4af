import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ensureFieldbookDesign } from '../../couch/database-setup';
import { auditIdRange } from '../../domain/audit-entry';
import { userDbName } from '../../domain/user-db-name';
import { startTestStack, type TestStack } from '../support/couch-harness';
import { deletionOf, editOf, photoData, rootRevision } from '../fixtures/documents';
import type { LeafDoc } from '../../domain/conflicts/stored-doc';

let stack: TestStack;
before(async () => {
  stack = await startTestStack({ alice: 'inspector' });
});
// Ends the CLI processes still running when this file ends, however it ends.
const fileEnded = new AbortController();
after(async () => {
  fileEnded.abort();
  await stack?.stop();
});

const aliceDb = () => stack.admin.use<Record<string, unknown>>(userDbName('alice'));

async function conflicts(cliArgs: string[], couchUrl = stack.couch.adminUrl) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'couch/conflicts-cli.ts', ...cliArgs], {
      env: { ...process.env, COUCH_URL: couchUrl },
      signal: fileEnded.signal,
      killSignal: 'SIGKILL',
    });
    return { code: 0, stdout };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout: stdout + stderr };
  }
}

/**
 * Stores each document's root revision and branches on the server, as replication from several
 * devices would. PouchDB Server's validation plugin replaces the `_revisions` of `new_edits: false`
 * writes with the current winner's, which drops or re-roots the branches, so they are stored with
 * the design doc (and its validate_doc_update) set aside; it is back before the CLI runs.
 */
async function storeBranchesOnServer(...documents: ((root: LeafDoc) => LeafDoc[])[]): Promise<string[]> {
  const design = await aliceDb().get('_design/fieldbook');
  await aliceDb().destroy(design._id, design._rev);
  try {
    return await Promise.all(
      documents.map(async (branches) => {
        const root = rootRevision({ _attachments: undefined });
        const results = await aliceDb().bulk({ docs: [root, ...branches(root)], new_edits: false });
        assert.deepEqual(
          results.filter((result) => result.error),
          [],
        );
        return root._id;
      }),
    );
  } finally {
    await ensureFieldbookDesign(stack.admin, userDbName('alice'));
  }
}

describe('npm run conflicts', () => {
  test('autoresolve merges disjoint edits and leaves true conflicts and deletions alone', async () => {
    const [disjoint, conflicting, deleted] = await storeBranchesOnServer(
      (root) => [
        editOf(root, 'bbb', { title: 'Ours' }),
        editOf(root, 'aaa', { site: 'Theirs', _attachments: { 'photo.jpg': photoData('from the losing device') } }),
      ],
      (root) => [editOf(root, 'bbb', { title: 'Ours' }), editOf(root, 'aaa', { title: 'Theirs' })],
      (root) => [editOf(root, 'aaa', { title: 'Kept' }), deletionOf(root, 'zzz')],
    );

    const listed = await conflicts(['list', 'alice']);
    assert.equal(listed.code, 0, listed.stdout);
    assert.match(listed.stdout, /3 conflicted document\(s\) in userdb-616c696365 \(alice\)/);
    assert.match(listed.stdout, new RegExp(`${disjoint} \\(inspection\\)\\n  2-bbb \\(winner\\)\\n  2-aaa\\n`));
    assert.match(listed.stdout, new RegExp(`${deleted} \\(inspection\\)\\n  2-aaa \\(winner\\)\\n  2-zzz \\(deleted\\)`));

    const resolved = await conflicts(['autoresolve', 'alice']);
    assert.equal(resolved.code, 0, resolved.stdout);
    assert.match(resolved.stdout, new RegExp(`resolved ${disjoint}: now 3-\\w+, merged 2-bbb 2-aaa`));
    assert.match(resolved.stdout, new RegExp(`left alone ${conflicting}: needs a choice for title`));
    assert.match(resolved.stdout, new RegExp(`left alone ${deleted}: needs a choice for _deleted`));
    assert.match(resolved.stdout, /1 resolved, 2 left alone/);

    const merged = await aliceDb().get(disjoint, { conflicts: true });
    assert.equal(merged._conflicts, undefined);
    assert.deepEqual([merged['title'], merged['site'], merged['mergedBy']], ['Ours', 'Theirs', 'conflicts-cli']);
    assert.equal((await aliceDb().attachment.get(disjoint, 'photo.jpg')).toString(), 'from the losing device');
    assert.deepEqual((await aliceDb().get(conflicting, { conflicts: true }))._conflicts, ['2-aaa']);
    // The merge is in the record's history, as one made on a tablet is; what was left alone is not.
    const history = async (id: string) => (await aliceDb().list({ ...auditIdRange(id), include_docs: true })).rows.map((row) => row.doc!);
    const [entry, ...more] = await history(disjoint);
    assert.deepEqual(more, []);
    assert.deepEqual([entry['action'], entry['merge'], entry['baseRev'], entry['docId']], ['update', true, '2-bbb', disjoint]);
    assert.deepEqual([await history(conflicting), await history(deleted)], [[], []]);

    const again = await conflicts(['list', 'alice']);
    assert.match(again.stdout, /2 conflicted document\(s\)/);
    assert.doesNotMatch(again.stdout, new RegExp(disjoint));
  });

  test('usage errors exit with 2', async () => {
    assert.equal((await conflicts(['resolve', 'alice'])).code, 2);
    assert.equal((await conflicts(['list'])).code, 2);
    assert.match((await conflicts(['list', 'alice'], '')).stdout, /usage: npm run conflicts -- list\|autoresolve <user>/);
  });

  test('a user without a database is told in one sentence, exit code 1', async () => {
    for (const command of ['list', 'autoresolve']) {
      const answer = await conflicts([command, 'nobody']);
      assert.deepEqual(answer, {
        code: 1,
        stdout: `There is no database ${userDbName('nobody')} for "nobody": is the user name right? npm run user -- list lists them.\n`,
      });
    }
  });
});
