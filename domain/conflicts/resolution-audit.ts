/** The audit entries of a conflict resolution: the same wherever it is written (a tablet, `npm run conflicts`). */
import { auditEntry, type AuditedWrite, type AuditStamp } from '../audit-entry';
import type { AuditEntry } from '../doc-types';
import type { BulkDocsRow, ConflictDb, OpenRevsRow } from './conflict-db';
import type { ResolutionTombstone, ResolutionWrite } from './conflict-resolution';

/** Reads the stored leaf `rev` of `id`, or null when it is not one (any more). */
export type LeafReader = (id: string, rev: string) => Promise<object | null>;

/**
 * One entry per write that changes the record: the merged document, or the tombstone that
 * deletes it (a losing leaf's tombstone only ends a branch). A write on a revision that is no
 * longer a leaf fails (409) and gets none. Each is named after the revision it replaces and,
 * when the write carries its stamp (an automatic merge or deletion, dated by its leaves),
 * stamped by it, so the same resolution made on two devices has the same entry; `now` stamps
 * the others.
 */
export async function resolutionAuditEntries(
  writes: readonly ResolutionWrite[],
  leafOf: LeafReader,
  now: () => AuditStamp,
): Promise<AuditEntry[]> {
  const audited: AuditedWrite[] = [];
  for (const doc of writes) {
    if (doc._deleted && (doc as ResolutionTombstone).mergedInto !== doc._rev) continue;
    const before = await leafOf(doc._id, doc._rev);
    if (before) audited.push({ before, after: doc, stamp: isStamped(doc) ? doc : now(), merge: true });
  }
  return audited.map((write) => auditEntry(write, write.after._rev!.split('-')[1].slice(0, 8)));
}

/** The leaf `rev` among a document's `open_revs=all` rows, or null. */
export function leafIn(rows: readonly OpenRevsRow[], rev: string): object | null {
  for (const row of rows) if ('ok' in row && (row.ok as { _rev?: string })._rev === rev) return row.ok;
  return null;
}

/** `db`, writing each resolution with its audit entries first (server tools; the app's writer does the same). */
export function withResolutionAudit(db: ConflictDb, now: () => AuditStamp): ConflictDb {
  return {
    get: db.get.bind(db) as ConflictDb['get'],
    async bulkDocs(docs: ResolutionWrite[]): Promise<BulkDocsRow[]> {
      const leafOf = async (id: string, rev: string) => leafIn(await db.get(id, { open_revs: 'all', revs: true }), rev);
      const entries = await resolutionAuditEntries(docs, leafOf, now);
      const rows = await db.bulkDocs([...entries, ...docs] as unknown as ResolutionWrite[]);
      return rows.slice(entries.length);
    },
  };
}

function isStamped(doc: object): doc is AuditStamp {
  const { updatedBy, updatedAt, deviceId } = doc as Partial<AuditStamp>;
  return typeof updatedBy === 'string' && typeof updatedAt === 'string' && typeof deviceId === 'string';
}
