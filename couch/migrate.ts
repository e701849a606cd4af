import type { DocumentScope } from 'nano';
import type { CouchAdmin } from './couch-admin';
import { isNotFound, openRevs } from './couch-admin';
import { isUpdateSequence } from './update-sequence';
import { jsonEqual } from '../domain/conflicts/json-equal';
import { HUB_DB } from '../domain/db-names';
import { MIGRATION_PROGRESS_ID, migrateDoc, migrationProgress, needsMigration, type MigrationProgress } from '../domain/schema-versions';

/** Documents read per `_all_docs` page and written per `_bulk_docs`. */
const BATCH_SIZE = 500;
/** How often a document that changed while it was migrated is read and migrated again. */
const ATTEMPTS = 3;

type Doc = Record<string, unknown> & { _id: string; _rev?: string; _conflicts?: string[]; type?: unknown; schema?: unknown };

export interface DatabaseMigration {
  db: string;
  /** Records brought to the current version by this run (each side of a conflict counting apart). */
  migrated: number;
  /** Records left as they were, and why (the rules refused, or they kept changing). */
  failed: { id: string; reason: string }[];
}

/** The databases that hold Fieldbook records: the hub first (see `inStepWithHub`), then every user's and the partners' copies. */
export async function fieldbookDatabases(couch: CouchAdmin): Promise<string[]> {
  const names = await couch.db.list();
  const copies = names.filter((name) => name.startsWith('userdb-') || name.startsWith('partner-'));
  return names.includes(HUB_DB) ? [HUB_DB, ...copies] : copies;
}

/**
 * `npm run migrate`: brings every record on the server to its type's current version
 * (domain/schema-versions.ts), database by database, `log` saying how far it got.
 *
 * Pure and deterministic: a record's migration changes nothing but its shape (not who changed
 * it last, nor when), so the copies of one revision in a user's database and in the hub become
 * the same new revision (CouchDB derives a revision id from its parent and content) and the
 * replication between them finds nothing to copy, and no conflict. Idempotent and resumable:
 * a rerun reads what changed since the last walk (records written since by tablets on the old
 * release get their turn), walks again a database where something failed, and starts where an
 * interrupted run stopped.
 */
export async function migrateServer(couch: CouchAdmin, log: (line: string) => void = () => undefined): Promise<DatabaseMigration[]> {
  const results: DatabaseMigration[] = [];
  for (const db of await fieldbookDatabases(couch)) results.push(await migrateDatabase(couch, db, log));
  return results;
}

/**
 * Migrates one database: a whole walk in id order (resuming where an interrupted one stopped), or,
 * after a finished walk, only what its changes feed shows since, so a rerun across thousands of
 * databases reads what tablets wrote in between, not every record again.
 */
export async function migrateDatabase(
  couch: CouchAdmin,
  dbName: string,
  log: (line: string) => void = () => undefined,
): Promise<DatabaseMigration> {
  const db = couch.use<Doc>(dbName);
  const result: DatabaseMigration = { db: dbName, migrated: 0, failed: [] };
  let progress = resumedProgress(await db.get(MIGRATION_PROGRESS_ID).catch(nullIfNotFound));
  const fromChanges = progress.done;
  if (fromChanges) log(`${dbName}: reading the changes since the last run`);
  else if (progress.lastId) log(`${dbName}: resuming after ${progress.lastId}`);
  // Read before the first page: whatever is written during the walk is read by the next run.
  else progress = { ...progress, since: (await db.info()).update_seq as string | number };
  let cursor = (fromChanges ? progress.since : progress.lastId) as Cursor;
  let looked = 0;
  let finished = false;
  while (!finished) {
    const page = fromChanges ? await changesAfter(db, cursor) : await pageAfter(db, cursor as string);
    const outcome = await migrateRevisions(db, await oldRevisions(db, await inStepWithHub(couch, dbName, page.docs)));
    result.migrated += outcome.migrated;
    result.failed.push(...outcome.failed);
    looked += page.docs.length;
    cursor = page.cursor;
    finished = page.finished;
    progress = await saveProgress(db, nextProgress(progress, cursor, finished, result.failed.length > 0));
    log(`${dbName}: ${looked} looked at, ${result.migrated} migrated${result.failed.length ? `, ${result.failed.length} failed` : ''}`);
  }
  return result;
}

/** Where a page ended: the last id of a walk, the update sequence of a read of the changes. */
type Cursor = string | number;

interface Page {
  docs: Doc[];
  cursor: Cursor;
  finished: boolean;
}

/**
 * The walk to go on with: reading the changes after a finished walk of this release, the stored
 * walk if it is this release's and unfinished, else a new walk from the start. The record sits in
 * the user's own database, where the user may have written it: anything unexpected in it means
 * walking every record, never skipping.
 */
function resumedProgress(stored: { _rev?: string; target?: unknown } | null): MigrationProgress {
  const progress = migrationProgress(stored);
  const { lastId, done, since } = progress as { lastId: unknown; done: unknown; since: unknown };
  const fresh: MigrationProgress = {
    _id: MIGRATION_PROGRESS_ID,
    ...(progress._rev ? { _rev: progress._rev } : {}),
    target: progress.target,
    lastId: '',
    done: false,
  };
  if (done === true && isUpdateSequence(since)) return { ...fresh, done: true, since };
  if (typeof lastId !== 'string' || done !== false) return fresh;
  return { ...fresh, lastId, ...(lastId && isUpdateSequence(since) ? { since } : {}) };
}

/**
 * The progress after a page, advanced only while nothing failed, so a rerun retries what failed.
 * A walk that ends goes back to the start: done, reading on from where it began (if nothing
 * failed), else walking everything again.
 */
function nextProgress(progress: MigrationProgress, cursor: Cursor, finished: boolean, anyFailed: boolean): MigrationProgress {
  if (anyFailed && !finished) return progress;
  if (progress.done) return anyFailed ? progress : { ...progress, since: cursor };
  if (!finished) return { ...progress, lastId: cursor as string };
  const { since, ...walk } = progress;
  return anyFailed ? { ...walk, lastId: '', done: false } : { ...walk, lastId: '', done: true, ...(since === undefined ? {} : { since }) };
}

async function saveProgress(db: DocumentScope<Doc>, progress: MigrationProgress): Promise<MigrationProgress> {
  const { rev } = await db.insert(progress as unknown as Doc);
  return { ...progress, _rev: rev };
}

/** Up to BATCH_SIZE documents after `lastId`, in id order, each with its conflicts. */
async function pageAfter(db: DocumentScope<Doc>, lastId: string): Promise<Page> {
  // From `lastId` itself (it may be gone), then dropped.
  const { rows } = await db.list({ include_docs: true, conflicts: true, startkey: lastId, limit: BATCH_SIZE + 1 });
  const docs = rows.flatMap((row) => (row.id !== lastId && row.doc ? [row.doc] : [])).slice(0, BATCH_SIZE);
  return { docs, cursor: docs.at(-1)?._id ?? lastId, finished: docs.length < BATCH_SIZE };
}

/** The documents changed after `since`, up to BATCH_SIZE, each with its conflicts (deleted ones left out, as `_all_docs` does). */
async function changesAfter(db: DocumentScope<Doc>, since: Cursor): Promise<Page> {
  const { results, last_seq } = await db.changes({ since: String(since), limit: BATCH_SIZE, include_docs: true, conflicts: true });
  // nano's types leave out the `doc` that include_docs adds.
  const docs = (results as { doc?: Doc; deleted?: boolean }[]).flatMap((row) => (row.doc && !row.deleted ? [row.doc] : []));
  return { docs, cursor: last_seq as Cursor, finished: results.length < BATCH_SIZE };
}

/**
 * Of a user's or partner's database's `docs`, those whose migration the hub shares: the hub does
 * not have them (yet), or holds the same revision, or its migration, which the same write here
 * becomes (CouchDB and PouchDB derive a revision id from its parent and content). A copy the hub
 * has moved on from is left as it is: one taken from its user by a reassignment, or deleted since,
 * stays behind in their database, and migrated there the fan-in would carry it into the hub as a
 * conflict, or bring a deleted record back. What the hub moved on to comes down by replication
 * wherever the record still goes.
 */
async function inStepWithHub(couch: CouchAdmin, dbName: string, docs: Doc[]): Promise<Doc[]> {
  const old = docs.filter((doc) => needsMigration(doc) || doc._conflicts?.length);
  if (dbName === HUB_DB || !old.length) return old;
  const fetched = await couch
    .use<Doc>(HUB_DB)
    .fetch({ keys: old.map((doc) => doc._id) }, { conflicts: true })
    .catch(nullIfNotFound);
  const inHub = new Map((fetched?.rows ?? []).map((row) => [row.key, row as { doc?: Doc | null; error?: string }]));
  const inStep: Doc[] = [];
  for (const doc of old) {
    const row = inHub.get(doc._id);
    if (!row || row.error === 'not_found') inStep.push(doc);
    else if (
      row.doc &&
      (sameOrMigrated(row.doc, doc) || ((row.doc._conflicts?.length || doc._conflicts?.length) && (await anyHubLeaf(couch, doc))))
    )
      inStep.push(doc);
  }
  return inStep;
}

function sameOrMigrated(hub: Doc, doc: Doc): boolean {
  return hub._rev === doc._rev || isMigrationOf(hub, doc);
}

/**
 * Whether any of the hub's versions of a conflicted record is `doc`'s revision or its migration:
 * each side migrates on its own branch, and the hub's winner may then be the other side's (a
 * record in conflict here was skipped, and never looked at again, as if the hub had moved on).
 */
async function anyHubLeaf(couch: CouchAdmin, doc: Doc): Promise<boolean> {
  const leaves = await openRevs<Doc>(couch, HUB_DB, doc._id, 'all');
  return leaves.some((leaf) => !leaf['_deleted'] && sameOrMigrated(leaf, doc));
}

/** Whether `hub` is the revision migrating `doc` writes: one generation on, with its content. */
function isMigrationOf(hub: Doc, doc: Doc): boolean {
  const { _rev: hubRev, _conflicts: _hubConflicts, ...hubContent } = hub;
  const { _rev: rev, _conflicts: _ownConflicts, ...content } = migrateDoc(doc);
  return parseInt(hubRev ?? '', 10) === parseInt(rev ?? '', 10) + 1 && jsonEqual(hubContent, content);
}

/**
 * The live revisions of `docs` in an old shape: each winner, and each losing leaf of a conflict,
 * which is migrated on its own branch so the conflict stays for a person to resolve (read one
 * by one: conflicts are rare).
 */
async function oldRevisions(db: DocumentScope<Doc>, docs: Doc[]): Promise<Doc[]> {
  const revisions: Doc[] = [];
  for (const { _conflicts: losing = [], ...winner } of docs) {
    const leaves = await Promise.all(losing.map((rev) => db.get(winner._id, { rev }).catch(nullIfNotFound)));
    revisions.push(winner, ...leaves.filter((leaf) => leaf !== null));
  }
  return revisions.filter((doc) => needsMigration(doc));
}

/** Writes `revisions` migrated in one `_bulk_docs`; a record changed meanwhile is read and migrated again. */
async function migrateRevisions(
  db: DocumentScope<Doc>,
  revisions: Doc[],
): Promise<{ migrated: number; failed: DatabaseMigration['failed'] }> {
  let migrated = 0;
  const failed: DatabaseMigration['failed'] = [];
  // Each revision tried once: a record read again after a conflict brings its refused sides along.
  const tried = new Set<string>();
  let todo = revisions;
  for (let attempt = 1; todo.length && attempt <= ATTEMPTS; attempt++) {
    for (const doc of todo) tried.add(revisionKey(doc));
    const rows = await db.bulk({ docs: todo.map((doc) => migrateDoc(doc)) });
    const conflicted = new Set<string>();
    rows.forEach((row, i) => {
      if (!row.error) migrated++;
      else if (row.error === 'conflict' && attempt < ATTEMPTS) conflicted.add(todo[i]._id);
      else failed.push({ id: todo[i]._id, reason: row.reason ?? row.error });
    });
    // Changed since it was read: perhaps migrated already (by a replication), perhaps edited.
    const fresh = await oldRevisions(db, await winners(db, [...conflicted]));
    todo = fresh.filter((doc) => !tried.has(revisionKey(doc)));
  }
  return { migrated, failed };
}

/** The winning revisions of `ids` that are not deleted, each with its conflicts. */
async function winners(db: DocumentScope<Doc>, ids: string[]): Promise<Doc[]> {
  if (!ids.length) return [];
  const { rows } = await db.fetch({ keys: ids }, { conflicts: true });
  return rows.flatMap((row) => ('doc' in row && row.doc ? [row.doc as Doc] : []));
}

function revisionKey(doc: Doc): string {
  return `${doc._rev} ${doc._id}`;
}

/** A `get`'s missing document as null: no progress record yet, or a losing side resolved and compacted away meanwhile. */
function nullIfNotFound(error: unknown): null {
  if (isNotFound(error)) return null;
  throw error;
}
