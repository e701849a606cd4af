import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { docViolations } from '../../domain/doc-rules';
import { MIGRATION_STEPS, migrateDoc, needsMigration, schemaOf, schemaVersions } from '../../domain/schema-versions';
import { defect, inspection } from '../fixtures/documents';

const alice = { name: 'alice', roles: ['inspector'] };
const admin = { name: 'admin', roles: ['_admin'] };
const now = '2026-11-23T10:00:00.000Z';
const stamp = { createdAt: now, updatedAt: now, deviceId: 'device-1' };

/** An inspection as releases before schema versions wrote it: no `schema`, no `priority`. */
function v1Inspection(overrides: Record<string, unknown> = {}) {
  return inspection('alice', { _id: 'inspection:0f8fad5b-d9cb-469f-a165-70867728950e', ...stamp, ...overrides });
}

describe('schema versions', () => {
  test('a record without a version is version 1', () => {
    assert.equal(schemaOf({}), 1);
    assert.equal(schemaOf({ schema: 2 }), 2);
  });

  test('every type has a step for each version from the oldest in use to the current one', () => {
    for (const [type, { current, oldest }] of Object.entries(schemaVersions())) {
      assert.ok(oldest >= 1 && oldest <= current, type);
      for (let from = oldest; from < current; from++) {
        assert.equal(MIGRATION_STEPS.filter((step) => step.type === type && step.from === from).length, 1, `${type} ${from}`);
      }
    }
  });

  test('an inspection of version 1 gets priority "normal" and the current version; nothing else changes', () => {
    const old = v1Inspection({ notes: 'Roof' });
    const migrated = migrateDoc(old);
    assert.deepEqual(migrated, { ...old, priority: 'normal', schema: 2 });
    assert.equal(old.schema, undefined, 'the input is left as it was');
    assert.ok(needsMigration(old));
    assert.ok(!needsMigration(migrated));
  });

  test('migrating is idempotent, and keeps a priority a newer tablet already set', () => {
    const migrated = migrateDoc(v1Inspection());
    assert.equal(migrateDoc(migrated), migrated);
    assert.deepEqual(migrateDoc(migrateDoc(v1Inspection())), migrated);
    assert.equal(migrateDoc(v1Inspection({ priority: 'high' })).priority, 'high');
  });

  test('leaves audit entries, tombstones and versions newer than it knows as they are', () => {
    const entry = { _id: 'audit:x', type: 'audit' };
    const tombstone = { _id: 'inspection:x', _rev: '2-a', _deleted: true, type: 'inspection' };
    const newer = v1Inspection({ schema: 3 });
    for (const doc of [entry, tombstone, newer]) {
      assert.equal(migrateDoc(doc), doc);
      assert.ok(!needsMigration(doc));
    }
  });

  test('a defect is stamped with its current version and otherwise unchanged', () => {
    const old = defect('alice', 'inspection:0f8fad5b-d9cb-469f-a165-70867728950e', stamp);
    assert.ok(!needsMigration(old), 'version 1 is current for defects');
    assert.deepEqual(migrateDoc(old), { ...old, schema: 1 });
  });
});

describe('document rules and schema versions', () => {
  test('accept every version in use: an old tablet writing version 1, a new one writing version 2', () => {
    assert.deepEqual(docViolations(v1Inspection(), null, alice), []);
    assert.deepEqual(docViolations(migrateDoc(v1Inspection()), null, alice), []);
    assert.deepEqual(docViolations(v1Inspection({ schema: 1, priority: 'high' }), null, alice), []);
  });

  test('require a priority from version 2 on', () => {
    assert.deepEqual(docViolations(v1Inspection({ schema: 2 }), null, alice), ['priority: is required']);
    assert.deepEqual(docViolations(v1Inspection({ schema: 2, priority: 'urgent' }), null, alice), [
      'priority: must be one of low, normal, high',
    ]);
    assert.deepEqual(docViolations(v1Inspection({ priority: 'urgent' }), null, alice), ['priority: must be one of low, normal, high']);
  });

  test('refuse a version newer than they know, for administrators too, saying which they accept', () => {
    for (const user of [alice, admin]) {
      assert.deepEqual(docViolations(v1Inspection({ schema: 3, priority: 'normal' }), null, user), [
        'schema: version 3 is newer than these rules know (1 to 2): update the server first',
      ]);
    }
  });

  test('refuse a version that is not a whole number from 1', () => {
    for (const schema of [0, 1.5, '2', null]) {
      assert.ok(docViolations(v1Inspection({ schema }), null, alice).includes('schema: must be a whole number from 1'), String(schema));
    }
  });
});
