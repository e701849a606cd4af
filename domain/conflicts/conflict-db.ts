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

export type WriteOutcome =
  | { ok: true; rev: string }
  /** `written`: the first document's new revision, when it was written and a later one failed. */
  | { ok: false; errors: string[]; written?: string };

/**
 * Writes a `resolutionBulkDocs` payload: its first document alone, then, only if that succeeded,
 * the rest. `rev` is the new revision of the first document.
 */
export async function writeResolution(db: ConflictDb, docs: readonly ResolutionWrite[]): Promise<WriteOutcome> {
  const [outcome] = await writeResolutions(db, [docs]);
  return outcome;
}

/**
 * Writes several payloads as `writeResolution` does, in two `bulkDocs` calls in all: the first
 * document of each, then the rest of those whose first document succeeded.
 */
export async function writeResolutions(db: ConflictDb, payloads: readonly (readonly ResolutionWrite[])[]): Promise<WriteOutcome[]> {
  if (payloads.length === 0) return [];
  const headRows = await db.bulkDocs(payloads.map(([head]) => head));
  const outcomes = headRows.map((row): WriteOutcome =>
    rowFailed(row) || row.rev === undefined ? { ok: false, errors: [describeFailure(row)] } : { ok: true, rev: row.rev },
  );
  const rest = payloads.flatMap((payload, index) => (outcomes[index].ok ? payload.slice(1).map((doc) => ({ doc, index })) : []));
  if (rest.length === 0) return outcomes;
  const restRows = await db.bulkDocs(rest.map(({ doc }) => doc));
  restRows.forEach((row, i) => {
    if (!rowFailed(row)) return;
    const { index } = rest[i];
    const previous = outcomes[index];
    outcomes[index] = previous.ok
      ? { ok: false, errors: [describeFailure(row)], written: previous.rev }
      : { ...previous, errors: [...previous.errors, describeFailure(row)] };
  });
  return outcomes;
}

/** Whether a `bulkDocs` row says its document was not written. */
export function rowFailed(row: BulkDocsRow): boolean {
  return Boolean(row.error) || row.rev === undefined;
}

function describeFailure(row: BulkDocsRow): string {
  return `${row.id}: ${row.name ?? row.error} ${row.reason ?? row.message ?? ''}`.trim();
}
