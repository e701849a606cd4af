/**
 * The slice of a database conflict handling needs. A PouchDB database satisfies it as is;
 * `nano-conflict-db.ts` adapts a CouchDB database reached with nano.
 */
import type { ResolutionWrite } from './conflict-resolution';
import { isStoredDoc, type FetchRevision } from './stored-doc';

export type OpenRevsRow = { ok: object } | { missing: string };

/** `bulkDocs` result row: PouchDB reports `name`/`message`, CouchDB `error`/`reason`. */
export interface BulkDocsRow {
  id?: string;
  rev?: string;
  error?: unknown;
  name?: string;
  reason?: string;
  message?: string;
}

export interface ConflictDb {
  /** Every leaf revision with its history. */
  get(id: string, options: { open_revs: 'all'; revs: true }): Promise<OpenRevsRow[]>;
  /** One revision; rejects with status (PouchDB) or statusCode (nano) 404 when it is not stored. */
  get(id: string, options: { rev: string; attachments: boolean }): Promise<object>;
  bulkDocs(docs: ResolutionWrite[]): Promise<BulkDocsRow[]>;
}

export function isNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const status = 'status' in error ? error.status : 'statusCode' in error ? error.statusCode : undefined;
  return status === 404;
}

export function revisionFetcher(db: ConflictDb, id: string): FetchRevision {
  return async (rev, { attachments }) => {
    try {
      const doc = await db.get(id, { rev, attachments });
      return isStoredDoc(doc) ? doc : null;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  };
}

export type WriteOutcome = { ok: true; rev: string } | { ok: false; errors: string[] };

/**
 * Writes a `resolutionBulkDocs` payload: its first document alone, then, only if that succeeded,
 * the rest. `rev` is the new revision of the first document.
 */
export async function writeResolution(db: ConflictDb, docs: readonly ResolutionWrite[]): Promise<WriteOutcome> {
  const [head, ...rest] = docs;
  const [headRow] = await db.bulkDocs([head]);
  if (failed(headRow) || headRow.rev === undefined) return { ok: false, errors: [describeFailure(headRow)] };
  const errors = rest.length > 0 ? (await db.bulkDocs(rest)).filter(failed).map(describeFailure) : [];
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rev: headRow.rev };
}

function failed(row: BulkDocsRow): boolean {
  return Boolean(row.error) || row.rev === undefined;
}

function describeFailure(row: BulkDocsRow): string {
  return `${row.id}: ${row.name ?? row.error} ${row.reason ?? row.message ?? ''}`.trim();
}
