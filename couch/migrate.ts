import type { DocumentScope } from 'nano';
import type { CouchAdmin } from './couch-admin';
import { isNotFound } from './couch-admin';
import { HUB_DB } from '../domain/db-names';
import { MIGRATION_PROGRESS_ID, migrateDoc, migrationProgress, needsMigration } from '../domain/schema-versions';

/** Documents read per `_all_docs` page and written per `_bulk_docs`. */
const BATCH_SIZE = 500;
/** How often a document that changed while it was migrated is read and migrated again. */
const ATTEMPTS = 3;

type Doc = Record<string, unknown> & { _id: string; _rev?: string; type?: unknown; schema?: unknown };

export interface DatabaseMigration {
  db: string;
  /** Records brought to the current version by this run. */
  migrated: number;
  /** Records left as they were, and why (the rules refused, or they kept changing). */
  failed: { id: string; reason: string }[];
}

/** The databases that hold Fieldbook records: every user's, the hub, and the partners' copies. */
export async function fieldbookDatabases(couch: CouchAdmin): Promise<string[]> {
  const names = await couch.db.list();
  return names.filter((name) => name === HUB_DB || name.startsWith('userdb-') || name.startsWith('partner-'));
}

/**
 * `npm run migrate`: brings every record on the server to its type's current version
 * (domain/schema-versions.ts), database by database, `log` saying how far it got.
 *
 * Pure and deterministic: a record's migration changes nothing but its shape (not who changed
 * it last, nor when), so the copies of one revision in a user's database and in the hub become
 * the same new revision (CouchDB derives a revision id from its parent and content) and the
 * replication between them finds nothing to copy, and no conflict. Idempotent and resumable: a
 * rerun skips what is current and starts where an interrupted run stopped.
 */
export async function migrateServer(couch: CouchAdmin, log: (line: string) => void = () => undefined): Promise<DatabaseMigration[]> {
  const results: DatabaseMigration[] = [];
  for (const db of await fieldbookDatabases(couch)) results.push(await migrateDatabase(couch, db, log));
  return results;
}

/** Migrates one database from where an earlier run of this release stopped. */
export async function migrateDatabase(
  couch: CouchAdmin,
  dbName: string,
  log: (line: string) => void = () => undefined,
): Promise<DatabaseMigration> {
  const db = couch.use<Doc>(dbName);
  const result: DatabaseMigration = { db: dbName, migrated: 0, failed: [] };
  const stored = await db.get(MIGRATION_PROGRESS_ID).catch((error: unknown) => (isNotFound(error) ? null : Promise.reject(error)));
  let progress = migrationProgress(stored);
  if (progress.done) log(`${dbName}: already migrated`);
  let looked = 0;
  while (!progress.done) {
    // From the last id looked at, itself included (it may be gone), then dropped.
    const { rows } = await db.list({ include_docs: true, startkey: progress.lastId, limit: BATCH_SIZE + 1 });
    const page = rows.filter((row) => row.id !== progress.lastId).slice(0, BATCH_SIZE);
    const old = page.flatMap((row) => (row.doc && needsMigration(row.doc) ? [row.doc] : []));
    const outcome = await migrateDocs(db, old);
    result.migrated += outcome.migrated;
    result.failed.push(...outcome.failed);
    looked += page.length;
    progress = { ...progress, lastId: page.at(-1)?.id ?? progress.lastId, done: page.length < BATCH_SIZE };
    progress._rev = (await db.insert(progress as unknown as Doc)).rev;
    log(`${dbName}: ${looked} looked at, ${result.migrated} migrated${result.failed.length ? `, ${result.failed.length} failed` : ''}`);
  }
  return result;
}

/** Writes `docs` migrated in one `_bulk_docs`; one changed meanwhile is read and migrated again. */
async function migrateDocs(db: DocumentScope<Doc>, docs: Doc[]): Promise<{ migrated: number; failed: DatabaseMigration['failed'] }> {
  let migrated = 0;
  const failed: DatabaseMigration['failed'] = [];
  let todo = docs;
  for (let attempt = 1; todo.length && attempt <= ATTEMPTS; attempt++) {
    const rows = await db.bulk({ docs: todo.map((doc) => migrateDoc(doc)) });
    const conflicted: string[] = [];
    rows.forEach((row, i) => {
      if (!row.error) migrated++;
      else if (row.error === 'conflict' && attempt < ATTEMPTS) conflicted.push(todo[i]._id);
      else failed.push({ id: todo[i]._id, reason: row.reason ?? row.error });
    });
    // Changed since it was read: perhaps migrated already (by a replication), perhaps edited.
    const { rows: fresh } = conflicted.length ? await db.fetch({ keys: conflicted }) : { rows: [] };
    todo = fresh.flatMap((row) => ('doc' in row && row.doc && needsMigration(row.doc as Doc) ? [row.doc as Doc] : []));
  }
  return { migrated, failed };
}
