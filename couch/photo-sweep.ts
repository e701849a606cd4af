import type { CouchAdmin } from './couch-admin';
import type { PhotoDoc } from '../domain/doc-types';
import { PHOTO_ID_RANGE, thumbnailOf } from '../domain/photo-doc';

/** Photo documents read per `_all_docs` page. */
const PAGE_SIZE = 500;

/** Days a photo no defect refers to is kept before it is swept (see `sweepPhotos`). */
export const DEFAULT_PHOTO_GRACE_DAYS = 7;

export interface PhotoSweepOptions {
  /** Photos taken less than this many days ago are kept whatever their defect says. */
  graceDays: number;
  /** Lists what would go without deleting it. */
  dryRun?: boolean;
  now?: Date;
}

export interface PhotoSweep {
  db: string;
  /** Photo documents looked at. */
  looked: number;
  /** Those no defect refers to any more: deleted (or, in a dry run, to be). */
  orphans: string[];
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
 * thumbnail of that stem and no conflicting revision that might; and only once it is older than
 * `graceDays`, since a tablet pushes a new photo's document and the defect that refers to it
 * in separate batches. A photo whose defect the server never had stays. The deletions
 * reach the hub by its fan-in replication, as any deletion.
 */
export async function sweepPhotos(couch: CouchAdmin, dbName: string, options: PhotoSweepOptions): Promise<PhotoSweep> {
  const db = couch.use<PhotoDoc>(dbName);
  const cutoff = (options.now ?? new Date()).getTime() - options.graceDays * 86_400_000;
  const sweep: PhotoSweep = { db: dbName, looked: 0, orphans: [] };
  let startkey: string = PHOTO_ID_RANGE.startkey;
  for (;;) {
    const { rows } = await db.list({ startkey, endkey: PHOTO_ID_RANGE.endkey, include_docs: true, limit: PAGE_SIZE + 1 });
    const page = rows.slice(0, PAGE_SIZE).flatMap((row) => (row.doc ? [row.doc as PhotoDoc & { _rev: string }] : []));
    sweep.looked += page.length;
    // A photo shared with partners is theirs too: it stays.
    const old = page.filter((photo) => !(Date.parse(photo.createdAt) > cutoff) && !photo.partners?.length);
    const defects = await defectsById(couch, dbName, [...new Set(old.map((photo) => photo.defectId))]);
    const orphans = old.filter((photo) => !isReferenced(photo, defects.get(photo.defectId)));
    if (orphans.length && !options.dryRun) {
      const results = await db.bulk({ docs: orphans.map(({ _id, _rev }) => ({ _id, _rev, _deleted: true })) as never[] });
      // One that changed meanwhile (a partner share) is looked at again by the next sweep.
      sweep.orphans.push(...results.filter((result) => !result.error).map((result) => result.id));
    } else sweep.orphans.push(...orphans.map((photo) => photo._id));
    if (rows.length <= PAGE_SIZE) return sweep;
    startkey = rows[PAGE_SIZE].id;
  }
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
    log(`${db}: ${sweep.looked} photo(s) looked at, ${sweep.orphans.length} ${options.dryRun ? 'to delete' : 'deleted'}`);
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
