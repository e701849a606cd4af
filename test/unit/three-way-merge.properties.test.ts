import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { docViolations } from '../../domain/doc-rules';
import type { LeafDoc, StoredDoc } from '../../domain/conflicts/stored-doc';
import { contentOf, mergeLeaves } from '../../domain/conflicts/three-way-merge';
import { checklistItem, editOf, photoStub, rootRevision } from '../fixtures/documents';

/** One change made on one leaf; `value: undefined` removes. */
type Edit =
  | { kind: 'field'; field: string; value: unknown }
  | { kind: 'item-field'; id: string; field: string; value: unknown }
  | { kind: 'remove-item'; id: string }
  | { kind: 'add-item'; id: string; result: 'pass' | 'fail' | null }
  | { kind: 'attachment'; name: string; digest: string | undefined };

const admin = { name: 'admin', roles: ['_admin'] };
const base = rootRevision({
  notes: 'n0',
  partners: ['p0'],
  _attachments: { 'a.jpg': photoStub('md5-a'), 'b.jpg': photoStub('md5-b') },
});
const text = fc.string({ minLength: 1, maxLength: 8 }).filter((value) => value.trim().length > 0);
const fieldValues: Record<string, fc.Arbitrary<unknown>> = {
  title: text,
  site: text,
  status: fc.constantFrom('draft', 'submitted'),
  scheduledFor: fc.constantFrom('2026-12-01', '2027-01-15'),
  notes: fc.option(text, { nil: undefined }),
  assignedTo: fc.option(text, { nil: undefined }),
  partners: fc.option(fc.array(text, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  reviewComment: fc.option(text, { nil: undefined }),
};
const itemFieldValues: Record<string, fc.Arbitrary<unknown>> = {
  label: text,
  result: fc.constantFrom('pass', 'fail', 'na', null),
  note: fc.option(text, { nil: undefined }),
};

/** Each leaf's edits, no two leaves touching the same field, item field, item or attachment. */
function disjointEdits(leafCount: number): fc.Arbitrary<Edit[][]> {
  const owner = fc.integer({ min: -1, max: leafCount - 1 }); // -1: nobody
  const owned = <T>(value: fc.Arbitrary<T>) => fc.tuple(owner, value);
  const fields = Object.entries(fieldValues).map(([field, value]) => owned(value.map((v): Edit => ({ kind: 'field', field, value: v }))));
  const items = ['c1', 'c2', 'c3'].map((id) =>
    fc.oneof(
      fc.tuple(owned(fc.constant<Edit>({ kind: 'remove-item', id }))),
      fc.tuple(
        ...Object.entries(itemFieldValues).map(([field, value]) =>
          owned(value.map((v): Edit => ({ kind: 'item-field', id, field, value: v }))),
        ),
      ),
    ),
  );
  const additions = fc.array(owned(fc.constantFrom<'pass' | 'fail' | null>('pass', 'fail', null)), { maxLength: 3 });
  const attachments = ['a.jpg', 'b.jpg', 'c.jpg'].map((name) =>
    owned(fc.option(fc.constantFrom('md5-x', 'md5-y'), { nil: undefined }).map((digest): Edit => ({ kind: 'attachment', name, digest }))),
  );
  return fc.tuple(fc.tuple(...fields), fc.tuple(...items), additions, fc.tuple(...attachments)).map(([f, i, added, a]) => {
    const addedEdits = added.map(([who, result], n): [number, Edit] => [who, { kind: 'add-item', id: `new-${n}`, result }]);
    const all = [...f, ...i.flat(), ...addedEdits, ...a];
    return Array.from({ length: leafCount }, (_, leaf) => all.filter(([who]) => who === leaf).map(([, edit]) => edit));
  });
}

function applyEdits(doc: StoredDoc, edits: readonly Edit[]): Record<string, unknown> {
  const changes: Record<string, unknown> = {};
  let checklist = [...(doc['checklist'] as ReturnType<typeof checklistItem>[])] as Record<string, unknown>[];
  const attachments = { ...doc._attachments };
  for (const edit of edits) {
    if (edit.kind === 'field') changes[edit.field] = edit.value;
    else if (edit.kind === 'remove-item') checklist = checklist.filter((entry) => entry['id'] !== edit.id);
    else if (edit.kind === 'add-item') checklist.push(checklistItem(edit.id, edit.result));
    else if (edit.kind === 'item-field') {
      checklist = checklist.map((entry) => (entry['id'] === edit.id ? withField(entry, edit.field, edit.value) : entry));
    } else if (edit.digest === undefined) delete attachments[edit.name];
    else attachments[edit.name] = photoStub(edit.digest);
  }
  return { ...changes, checklist, _attachments: Object.keys(attachments).length > 0 ? attachments : undefined };
}

function withField(entry: Record<string, unknown>, field: string, value: unknown) {
  const { [field]: _replaced, ...rest } = entry;
  return value === undefined ? rest : { ...rest, [field]: value };
}

/** Content to compare: the merge does not keep a meaningful order for items only some leaves have. */
function comparable(doc: StoredDoc) {
  const content = contentOf(doc);
  const checklist = [...(content['checklist'] as { id: string }[])].sort((a, b) => a.id.localeCompare(b.id));
  return { ...content, checklist };
}

test('merging leaves with disjoint edits equals applying all the edits to the ancestor', () => {
  const scenario = fc.integer({ min: 2, max: 3 }).chain((leafCount) =>
    fc.record({
      edits: disjointEdits(leafCount),
      revIds: fc.uniqueArray(fc.stringMatching(/^[0-9a-f]{6}$/), { minLength: leafCount, maxLength: leafCount }),
      depths: fc.array(fc.integer({ min: 1, max: 2 }), { minLength: leafCount, maxLength: leafCount }),
    }),
  );
  fc.assert(
    fc.property(scenario, ({ edits, revIds, depths }) => {
      const leaves: LeafDoc[] = edits.map((leafEdits, i) => {
        const parent = depths[i] === 2 ? editOf(base, `${revIds[i]}0`, {}) : base;
        return editOf(parent, revIds[i], applyEdits(base, leafEdits));
      });
      const expected = editOf(base, 'expected', applyEdits(base, edits.flat()));
      const merge = mergeLeaves(leaves, base);
      assert.deepEqual(merge.conflicts, []);
      assert.ok(merge.merged);
      assert.deepEqual(comparable(merge.merged), comparable(expected));
      assert.deepEqual(docViolations(merge.merged, merge.leaves[0], admin), []);
    }),
    { numRuns: 300 },
  );
});
