/** Writing hand-built revision trees into an in-memory PouchDB, and reading back what conflict resolution left. */
import type { LeafDoc, StoredDoc } from '../../domain/conflicts/stored-doc';
import { localDb } from '../support/node-pouch';

export { localDb };

/** An attachment with inline data, as `new_edits: false` needs it. */
export function jpeg(content: string) {
  return { content_type: 'image/jpeg', data: Buffer.from(content).toString('base64') };
}

/** Stores the given revisions (ancestors before descendants) exactly as they are, as replication would. */
export async function storeRevisions(db: PouchDB.Database, revisions: LeafDoc[]): Promise<void> {
  // Our Attachment type allows `stub?: boolean`; PouchDB's insists on `stub: true` for stubs.
  const results = await db.bulkDocs(revisions as PouchDB.Core.PutDocument<Record<string, unknown>>[], { new_edits: false });
  const failures = results.filter((result) => 'error' in result && result.error);
  if (failures.length > 0) throw new Error(`storing revisions failed: ${JSON.stringify(failures)}`);
}

/** Every leaf of a document, deleted ones included. */
export async function leavesOf(db: PouchDB.Database, id: string): Promise<StoredDoc[]> {
  const rows = await db.get(id, { open_revs: 'all' });
  return rows.flatMap((row) => ('ok' in row ? [row.ok as StoredDoc] : []));
}
