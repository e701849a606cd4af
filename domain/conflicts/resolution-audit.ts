/** The audit entries of a conflict resolution: the same wherever it is written (a tablet, `npm run conflicts`). */
import { auditEntry, type AuditedWrite, type AuditStamp } from '../audit-entry';
import type { AuditEntry } from '../doc-types';
import { rowFailed, type BulkDocsRow, type ConflictDb, type OpenRevsRow } from './conflict-db';
import { deletesRecord, type ResolutionTombstone, type ResolutionWrite } from './conflict-resolution';

/** Reads the stored leaf `rev` of `id`, or null when it is not one (any more). */
export type LeafReader = (id: string, rev: string) => Promise<object | null>;

/**
 * One entry per write that changes the record: the merged document, or the tombstone that
 * deletes it (a losing leaf's tombstone only ends a branch). A write on a revision that is no
 * longer a leaf fails (409) and gets none. Each is named after the revision it replaces and,
 * when the write carries its stamp (an automatic merge or deletion, dated by its leaves),
 * stamped by it, so the same resolution made on two devices has the same entry; `now` stamps
 * the others.
 *
 * A person who keeps the version that stands changes nothing of it: only the other versions
 * end, their tombstones stamped by who chose (ResolutionWriterService). Each discarded version
 * that said something else gets an entry on its tombstone: what the choice changed of it (of a
 * discarded deletion, nothing: the entry says who kept the record). An automatic resolution's
 * tombstones carry no stamp, and nothing of theirs was lost.
 */
export async function resolutionAuditEntries(
  writes: readonly ResolutionWrite[],
  leafOf: LeafReader,
  now: () => AuditStamp,
): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  const entryOf = (write: AuditedWrite) => auditEntry(write, write.after._rev!.split('-')[1].slice(0, 8));
  for (const doc of writes) {
    if (doc._deleted && !deletesRecord(doc)) continue;
    const before = await leafOf(doc._id, doc._rev);
    if (before) entries.push(entryOf({ before, after: doc, stamp: isStamped(doc) ? doc : now(), merge: true }));
  }
  for (const end of writes) {
    if (!isDiscardedByChoice(end, writes)) continue;
    const [before, kept] = [await leafOf(end._id, end._rev), await leafOf(end._id, end.mergedInto)];
    if (!before || !kept) continue;
    // A discarded deletion: the record stays as it is, and the entry says who chose so.
    const deletion = (before as { _deleted?: boolean })._deleted === true;
    const entry = entryOf({ before: deletion ? kept : before, after: { ...kept, _id: end._id, _rev: end._rev }, stamp: end, merge: true });
    if (deletion || entry.changes.length > 0) entries.push(entry);
  }
  return entries;
}

/** A person's tombstone on a discarded version, where the version that stands is not written. */
function isDiscardedByChoice(write: ResolutionWrite, writes: readonly ResolutionWrite[]): write is ResolutionTombstone & AuditStamp {
  return (
    write._deleted === true &&
    !deletesRecord(write) &&
    isStamped(write) &&
    !writes.some((other) => other._id === write._id && (!other._deleted || deletesRecord(other)))
  );
}

/** The leaf `rev` among a document's `open_revs=all` rows, or null. */
export function leafIn(rows: readonly OpenRevsRow[], rev: string): object | null {
  for (const row of rows) if ('ok' in row && (row.ok as { _rev?: string })._rev === rev) return row.ok;
  return null;
}

/**
 * Writes `docs` (one `bulkDocs` of a resolution), then those of `entries` (their
 * `resolutionAuditEntries`, built before, while the leaves they replace are stored) whose write
 * succeeded; answers the rows of `docs`. Neither PouchDB nor CouchDB writes several documents as
 * one: an entry in the same `bulkDocs` would stay when its write loses a race (409), naming a
 * resolution that never happened. An entry that is there already (the same automatic merge,
 * pulled from another device) is refused 409 and stays as it is.
 */
export async function writeWithAuditEntries(
  bulkDocs: (docs: object[]) => Promise<BulkDocsRow[]>,
  docs: readonly ResolutionWrite[],
  entries: readonly AuditEntry[],
): Promise<BulkDocsRow[]> {
  const rows = await bulkDocs([...docs]);
  const written = (entry: AuditEntry) =>
    docs.some((doc, i) => doc._id === entry.docId && doc._rev === entry.baseRev && !rowFailed(rows[i]));
  const landed = entries.filter(written);
  if (landed.length > 0) await bulkDocs(landed);
  return rows;
}

/** `db`, writing each resolution with its audit entries (server tools; the app's writer does the same). */
export function withResolutionAudit(db: ConflictDb, now: () => AuditStamp): ConflictDb {
  return {
    get: db.get.bind(db) as ConflictDb['get'],
    async bulkDocs(docs: ResolutionWrite[]): Promise<BulkDocsRow[]> {
      const leafOf = async (id: string, rev: string) => leafIn(await db.get(id, { open_revs: 'all', revs: true }), rev);
      const entries = await resolutionAuditEntries(docs, leafOf, now);
      return writeWithAuditEntries((batch) => db.bulkDocs(batch as ResolutionWrite[]), docs, entries);
    },
  };
}

function isStamped(doc: object): doc is AuditStamp {
  const { updatedBy, updatedAt, deviceId } = doc as Partial<AuditStamp>;
  return typeof updatedBy === 'string' && typeof updatedAt === 'string' && typeof deviceId === 'string';
}
