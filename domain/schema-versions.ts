/**
 * Schema versions of Fieldbook's records and the steps that bring an older one up to date.
 *
 * Every inspection and defect says which shape it has in `schema` (missing: 1). A release
 * that changes a shape raises the type's `current` version and appends a step here; the rules
 * (domain/doc-rules.ts) accept every version from `oldest` to `current`, so tablets still on
 * the previous release keep syncing, and refuse a newer one they cannot know. Raise `oldest`
 * only once no tablet writes that version any more and `npm run migrate` has run.
 */
import type { FieldbookDoc } from './doc-types';

export type RecordType = FieldbookDoc['type'];

/** The versions this release reads, per record type. */
export interface SchemaRange {
  /** What this release writes. */
  current: number;
  /** The oldest version still accepted (written by tablets on an earlier release). */
  oldest: number;
}

/**
 * The one declaration of the versions in use. Self-contained (ES5, no imports, no closures):
 * the design document declares it next to docViolations, which calls it inside CouchDB.
 */
export function schemaVersions(): Record<string, SchemaRange> {
  return {
    inspection: { current: 2, oldest: 1 },
    defect: { current: 1, oldest: 1 },
  };
}

/** One step of a record type's shape, from version `from` to `from + 1`: pure, and a no-op on a record that has it already. */
export interface MigrationStep {
  type: RecordType;
  from: number;
  migrate(doc: Record<string, unknown>): Record<string, unknown>;
}

/** Every step, in order. */
export const MIGRATION_STEPS: readonly MigrationStep[] = [
  // 2: inspections have a priority, which the list sorts and shows; older ones were all "normal".
  { type: 'inspection', from: 1, migrate: (doc) => ({ ...doc, priority: doc['priority'] ?? 'normal' }) },
];

/** A record's schema version (missing: 1). */
export function schemaOf(doc: { schema?: unknown }): number {
  return typeof doc.schema === 'number' ? doc.schema : 1;
}

/** Whether `type` is a versioned record type (inspections and defects; audit entries never change). */
export function isVersioned(type: unknown): type is RecordType {
  return typeof type === 'string' && type in schemaVersions();
}

/** Whether `doc` is a live record older than this release writes. */
export function needsMigration(doc: { type?: unknown; schema?: unknown; _deleted?: boolean }): boolean {
  return !doc._deleted && isVersioned(doc.type) && schemaOf(doc) < schemaVersions()[doc.type].current;
}

/**
 * `doc` in its type's current shape, stamped with the current version; anything else (audit
 * entries, tombstones, a record at or above the current version) as it is. Pure and idempotent:
 * the same old record gives the same result on every tablet and server.
 */
export function migrateDoc<T extends object>(doc: T): T {
  const record = doc as T & { type?: unknown; schema?: unknown; _deleted?: boolean };
  if (record._deleted || !isVersioned(record.type)) return doc;
  const type = record.type;
  const current = schemaVersions()[type].current;
  if (schemaOf(record) > current) return doc;
  let version = schemaOf(record);
  if (version === current && record.schema === current) return doc;
  let migrated = doc as Record<string, unknown>;
  for (const step of MIGRATION_STEPS) {
    if (step.type === type && step.from === version && version < current) {
      migrated = step.migrate(migrated);
      version++;
    }
  }
  return { ...migrated, schema: current } as T;
}

/**
 * How far a walk of one database towards this release's versions got (`npm run migrate` on the
 * server, the tablet's background migration): a `_local` document, never replicated, so a
 * rerun or a reload resumes; a release with other versions starts again.
 */
export interface MigrationProgress {
  _id: typeof MIGRATION_PROGRESS_ID;
  _rev?: string;
  /** The versions migrated to (schemaVersions()). */
  target: string;
  /** Every document up to this id has been looked at. */
  lastId: string;
  done: boolean;
  /**
   * The server's walk only: the database's update sequence where a walk began (while under way),
   * then where the next run reads on from the changes feed (once done), instead of every record.
   */
  since?: string | number;
}

export const MIGRATION_PROGRESS_ID = '_local/fieldbook-migration';

/** The stored progress if it is this release's walk, else a fresh one (on the stored revision, so it can be overwritten). */
export function migrationProgress(stored: { _rev?: string; target?: unknown } | null): MigrationProgress {
  const target = JSON.stringify(schemaVersions());
  return stored?.target === target
    ? (stored as MigrationProgress)
    : { _id: MIGRATION_PROGRESS_ID, ...(stored?._rev ? { _rev: stored._rev } : {}), target, lastId: '', done: false };
}
