import type { DocumentScope } from 'nano';
import { isConflict, isNotFound, type CouchAdmin } from './couch-admin';
import type { PhotoDoc } from '../domain/doc-types';
import { PHOTO_ID_RANGE, isDefectId, isPhotoId, thumbnailOf } from '../domain/photo-doc';
import { settledRun, storedRuns, withRun, type SweepRun } from './photo-sweep-runs';
import type { UpdateSequence } from './update-sequence';

/** Photo documents read per `_all_docs` page. */
const PAGE_SIZE = 500;

/** Days a photo no defect refers to is kept once it reached the server (see `sweepPhotos`). */
export const DEFAULT_PHOTO_GRACE_DAYS = 7;

/** Where each sweep found a database's sequence (photo-sweep-runs.ts); a `_local` document, so it never replicates. */
const RUNS_ID = '_local/fieldbook-photo-sweeps';

interface SweepRuns {
  _id: string;
  _rev?: string;
  runs: SweepRun[];
}

export interface PhotoSweepOptions {
  /** Photos that reached the server less than this many days ago are kept whatever their defect says. */
  graceDays: number;
  /** Lists what would go without deleting it (nor noting this sweep). */
  dryRun?: boolean;
  now?: Date;
}

export interface PhotoSweep {
  db: string;
  /** Photo documents looked at. */
  looked: number;
  /** Those no defect refers to any more: deleted (or, in a dry run, to be). */
  orphans: string[];
  /**
   * The earlier sweep, at least the grace period ago, whose photos this one could delete; null
   * if there was none (the first sweeps of a database delete nothing).
   */
  settledAt: string | null;
}

type StoredDefect = { _id: string; _deleted?: boolean; _conflicts?: string[]; _attachments?: Record<string, unknown> };

/**
 * Deletes the full-size photo documents (domain/photo-doc.ts) of a user's database that no
 * defect refers to any more (`npm run photos -- sweep` does it for every user).
 *
 * A tablet removing a photo deletes the photo document only if it holds it: one that never
 * opened the photo (photos are fetched on demand) removes the defect's thumbnail and leaves
 * the document on the server, and a defect deleted there leaves all of its photos. Nothing
 * refers to those any more; they would stay forever.
 *
 * A photo goes only when its defect was deleted, or its defect's winning revision has no
 * thumbnail of that stem and no conflicting revision that might; and only once it has been on
 * the server for `graceDays`. A tablet pushes a new photo's document and the defect revision
 * that refers to it in separate batches, perhaps weeks after the photo was taken: between the
 * two the server's defect does not show it. When a photo was taken says nothing of that; when
 * it arrived does, and the server keeps no time of arrival, so each sweep notes the database's
 * sequence: a photo is settled if neither it nor its defect has changed since a sweep at least
 * `graceDays` ago.
 * A photo whose defect the server never had stays. The deletions reach the hub by its fan-in
 * replication, as any deletion.
 */
export async function sweepPhotos(couch: CouchAdmin, dbName: string, options: PhotoSweepOptions): Promise<PhotoSweep> {
  const db = couch.use<PhotoDoc>(dbName);
  const now = options.now ?? new Date();
  const record = await sweepRuns(db);
  // Taken before the photos are read: one arriving meanwhile counts as after this sweep.
  const { update_seq: seq } = await db.info();
  const settled = settledRun(record.runs, now.getTime() - options.graceDays * 86_400_000);
  const unsettled = settled ? await photosAndDefectsChangedSince(db, settled.seq) : null;
  const sweep: PhotoSweep = { db: dbName, looked: 0, orphans: [], settledAt: settled?.at ?? null };
  let startkey: string = PHOTO_ID_RANGE.startkey;
  for (;;) {
    // With no settled run nothing can go: the ids alone count what was looked at.
    const { rows } = await db.list({ startkey, endkey: PHOTO_ID_RANGE.endkey, include_docs: !!unsettled, limit: PAGE_SIZE + 1 });
    const page = rows.slice(0, PAGE_SIZE).flatMap((row) => (row.doc ? [row.doc as PhotoDoc & { _rev: string }] : []));
    sweep.looked += Math.min(rows.length, PAGE_SIZE);
    // A photo shared with partners is theirs too: it stays. So does one whose defect changed since
    // the settled sweep (deleted yesterday, a thumbnail just removed): a tablet offline since may
    // still push a version of the defect that shows it, which a live version wins over a deletion.
    const old = unsettled
      ? page.filter((photo) => !unsettled.has(photo._id) && !unsettled.has(photo.defectId) && !photo.partners?.length)
      : [];
    const defects = await defectsById(couch, dbName, [...new Set(old.map((photo) => photo.defectId))]);
    const orphans = old.filter((photo) => !isReferenced(photo, defects.get(photo.defectId)));
    if (orphans.length && !options.dryRun) {
      const results = await db.bulk({ docs: orphans.map(({ _id, _rev }) => ({ _id, _rev, _deleted: true })) as never[] });
      // One that changed meanwhile (a partner share) is looked at again by the next sweep.
      sweep.orphans.push(...results.filter((result) => !result.error).map((result) => result.id));
    } else sweep.orphans.push(...orphans.map((photo) => photo._id));
    if (rows.length <= PAGE_SIZE) break;
    startkey = rows[PAGE_SIZE].id;
  }
  if (!options.dryRun) await noteRun(db, record, { at: now.toISOString(), seq });
  return sweep;
}

/** Every user's database swept in turn, `log` saying what each gave. */
export async function sweepServerPhotos(
  couch: CouchAdmin,
  options: PhotoSweepOptions,
  log: (line: string) => void = () => undefined,
): Promise<PhotoSweep[]> {
  const sweeps: PhotoSweep[] = [];
  for (const db of (await couch.db.list()).filter((name) => name.startsWith('userdb-'))) {
    const sweep = await sweepPhotos(couch, db, options);
    const settled = sweep.settledAt
      ? ''
      : ` (none settled yet: a photo goes once a sweep ${options.graceDays} or more days ago has seen it)`;
    log(`${db}: ${sweep.looked} photo(s) looked at, ${sweep.orphans.length} ${options.dryRun ? 'to delete' : 'deleted'}${settled}`);
    sweeps.push(sweep);
  }
  return sweeps;
}

/** What the server holds of each defect: its winning revision with its conflicts, or `deleted`; one it never had is left out. */
async function defectsById(couch: CouchAdmin, dbName: string, ids: string[]): Promise<Map<string, StoredDefect | 'deleted'>> {
  if (!ids.length) return new Map();
  const { rows } = await couch.use<StoredDefect>(dbName).fetch({ keys: ids }, { conflicts: true });
  return new Map(
    rows.flatMap((row): [string, StoredDefect | 'deleted'][] => {
      if ('doc' in row && row.doc) return [[row.id, row.doc as StoredDefect]];
      // nano's types leave out what CouchDB says of a deleted one: `value: { rev, deleted: true }`, `doc: null`.
      return 'value' in row && (row.value as { deleted?: boolean }).deleted ? [[row.id, 'deleted']] : [];
    }),
  );
}

function isReferenced(photo: PhotoDoc, defect: StoredDefect | 'deleted' | undefined): boolean {
  // Never on the server: the tablet that took the photo may still push its defect (a write the
  // server refused and the inspector fixes, a push cut off between batches), however long ago
  // the photo was taken.
  if (defect === undefined) return true;
  if (defect === 'deleted') return false;
  // A conflicting revision may be the one that keeps the photo: it waits until that is resolved.
  if (defect._conflicts?.length) return true;
  return !!defect._attachments?.[thumbnailOf(photo)];
}

async function sweepRuns(db: DocumentScope<PhotoDoc>): Promise<SweepRuns> {
  try {
    const stored = await db.get(RUNS_ID);
    return { _id: RUNS_ID, _rev: stored._rev, runs: storedRuns(stored) };
  } catch (error) {
    if (isNotFound(error)) return { _id: RUNS_ID, runs: [] };
    throw error;
  }
}

/** Photo and defect documents written (arrived, changed, deleted) after `since`: ids only, read a page at a time. */
async function photosAndDefectsChangedSince(db: DocumentScope<PhotoDoc>, since: UpdateSequence): Promise<Set<string>> {
  const changed = new Set<string>();
  for (let from = since; ;) {
    const { results, last_seq } = await db.changes({ since: String(from), limit: PAGE_SIZE });
    for (const { id } of results) if (isPhotoId(id) || isDefectId(id)) changed.add(id);
    if (results.length < PAGE_SIZE) return changed;
    from = last_seq;
  }
}

async function noteRun(db: DocumentScope<PhotoDoc>, record: SweepRuns, run: SweepRun): Promise<void> {
  try {
    await db.insert({ ...record, runs: withRun(record.runs, run) } as never, RUNS_ID);
  } catch (error) {
    // Another sweep of this database noted its own meanwhile: that one serves as well.
    if (!isConflict(error)) throw error;
  }
}
