import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { docViolations } from '../../domain/doc-rules';
import { revisionFetcher, writeResolution } from '../../domain/conflicts/conflict-db';
import { resolutionBulkDocs, resolveMerge } from '../../domain/conflicts/conflict-resolution';
import { findConflictedDocs, mergeConflictedDoc } from '../../domain/conflicts/conflicted-docs';
import type { LeafDoc } from '../../domain/conflicts/stored-doc';
import { contentOf } from '../../domain/conflicts/three-way-merge';
import { checklistItem, deletionOf, editOf, photoData, rootRevision, storeRevisions } from '../fixtures/documents';
import { leavesOf, localDb } from './pouch-revisions';

const admin = { name: 'admin', roles: ['_admin'] };
const stamp = { mergedBy: 'property', mergedAt: '2026-11-23T12:00:00.000Z' };

/** A branch off the root; small value domains so that branches often agree and often clash. */
const branch = fc.record({
  depth: fc.integer({ min: 1, max: 2 }),
  deleted: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  title: fc.option(fc.constantFrom('A', 'B')),
  results: fc.array(fc.constantFrom('keep', 'pass', 'fail', 'remove'), { minLength: 3, maxLength: 3 }),
  addedItemLabel: fc.option(fc.constantFrom('X', 'Y')),
  photo: fc.constantFrom('keep', 'delete', 'x', 'y'),
  secondPhoto: fc.option(fc.constantFrom('p', 'q')),
});
type Branch = typeof branch extends fc.Arbitrary<infer B> ? B : never;

function branchRevisions(root: LeafDoc, revId: string, spec: Branch): LeafDoc[] {
  const parent = spec.depth === 2 ? editOf(root, `${revId}0`, {}) : root;
  const above = spec.depth === 2 ? [parent] : [];
  if (spec.deleted) return [...above, deletionOf(parent, revId)];
  const checklist = ['c1', 'c2', 'c3'].flatMap((id, i) => {
    const result = spec.results[i];
    return result === 'remove' ? [] : [checklistItem(id, result === 'keep' ? null : result)];
  });
  if (spec.addedItemLabel) checklist.push(checklistItem('n1', null, spec.addedItemLabel));
  const attachments: Record<string, object> =
    spec.photo === 'delete' ? {} : { 'a.jpg': photoData(spec.photo === 'keep' ? 'root' : spec.photo) };
  if (spec.secondPhoto) attachments['b.jpg'] = photoData(spec.secondPhoto);
  const changes = { checklist, _attachments: attachments, ...(spec.title ? { title: spec.title } : {}) };
  return [...above, editOf(parent, revId, changes)];
}

test('resolving with any choices leaves exactly one live leaf (none if the deletion was chosen) in PouchDB', async () => {
  const scenario = fc.record({
    branches: fc.array(branch, { minLength: 2, maxLength: 4 }),
    revIds: fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{8}$/), { minLength: 4, maxLength: 4 }),
    compact: fc.boolean(),
    picks: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
  });
  await fc.assert(
    fc.asyncProperty(scenario, async ({ branches, revIds, compact, picks }) => {
      const db = localDb('conflict-property');
      try {
        const root = rootRevision({ _attachments: { 'a.jpg': photoData('root') } });
        await storeRevisions(db, [root, ...branches.flatMap((spec, i) => branchRevisions(root, revIds[i], spec))]);
        if (compact) await db.compact();

        const found = await findConflictedDocs(db, [root._id]);
        if (branches.every((spec) => spec.deleted)) {
          assert.deepEqual(found, [], 'a document deleted on every branch is not a conflict');
          return;
        }
        assert.equal(found.length, 1);
        const merge = await mergeConflictedDoc(db, found[0]);
        assert.equal(merge.leaves[0]._rev, (await db.get(root._id))._rev, 'our winner is PouchDB’s winner');
        assert.equal(merge.ancestorMissing, compact);

        const choices = Object.fromEntries(
          merge.conflicts.map((conflict, i) => [conflict.path, conflict.options[picks[i % picks.length] % conflict.options.length].rev]),
        );
        const resolution = resolveMerge(merge, choices, stamp);
        const writes = await resolutionBulkDocs(resolution, revisionFetcher(db, root._id));
        for (const write of writes) {
          assert.deepEqual(
            docViolations(
              write,
              merge.leaves.find((leaf) => leaf._rev === write._rev)!,
              admin,
            ),
            [],
          );
        }
        assert.equal((await writeResolution(db, writes)).ok, true);

        const live = (await leavesOf(db, root._id)).filter((leaf) => !leaf._deleted);
        assert.equal(live.length, resolution.doc ? 1 : 0);
        if (resolution.doc) {
          assert.equal((await db.get(root._id, { conflicts: true }))._conflicts, undefined);
          assert.deepEqual(contentOf(live[0]), contentOf(resolution.doc));
        }
        assert.deepEqual(await findConflictedDocs(db, [root._id]), []);
      } finally {
        await db.destroy();
      }
    }),
    { numRuns: 100 },
  );
});
