import { Database } from '../core/pouchdb';

/** A document as read with `{conflicts: true}`. */
export type WithConflicts<T> = T & { _conflicts?: string[] };

/**
 * Reads documents by id with their `_conflicts`. Mango results carry no conflicts; a
 * keyed allDocs read adds them without scanning the database.
 */
export async function readWithConflicts<T>(db: Database, ids: string[]): Promise<WithConflicts<T>[]> {
  if (!ids.length) return [];
  const result = await db.allDocs<T & object>({ keys: ids, include_docs: true, conflicts: true });
  return result.rows.flatMap((row) => ('doc' in row && row.doc ? [row.doc as WithConflicts<T>] : []));
}
