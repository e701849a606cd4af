/** ConflictDb over a CouchDB database reached with nano: for server-side tools (Node only). */
import type { CouchAdmin } from '../couch-admin';
import type { BulkDocsRow, ConflictDb, OpenRevsRow } from '../../domain/conflicts/conflict-db';
import type { ResolutionWrite } from '../../domain/conflicts/conflict-resolution';

export class NanoConflictDb implements ConflictDb {
  constructor(
    private readonly couch: CouchAdmin,
    private readonly dbName: string,
  ) {}

  get(id: string, options: { open_revs: 'all'; revs: true }): Promise<OpenRevsRow[]>;
  get(id: string, options: { rev: string; attachments: boolean }): Promise<object>;
  // nano's typed get() has no `open_revs: 'all'`; both options pass through as plain query parameters.
  get(id: string, options: { open_revs: 'all'; revs: true } | { rev: string; attachments: boolean }): Promise<OpenRevsRow[] | object> {
    return this.couch.request({ db: this.dbName, doc: id, qs: options });
  }

  bulkDocs(docs: ResolutionWrite[]): Promise<BulkDocsRow[]> {
    return this.couch.use(this.dbName).bulk({ docs });
  }
}
