/** Writing hand-built revision trees into an in-memory PouchDB, and reading back what conflict resolution left. */
import type { StoredDoc } from '../../domain/conflicts/stored-doc';
import { localDb } from '../support/node-pouch';

export { localDb };

/** Every leaf of a document, deleted ones included. */
export async function leavesOf(db: PouchDB.Database, id: string): Promise<StoredDoc[]> {
  const rows = await db.get(id, { open_revs: 'all' });
  return rows.flatMap((row) => ('ok' in row ? [row.ok as StoredDoc] : []));
}
