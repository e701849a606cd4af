/** ConflictDb over a CouchDB database reached with nano: for server-side tools (Node only). */
import type { CouchAdmin } from '../couch-admin';
import type { BulkDocsRow, ConflictDb, OpenRevsRow } from '../../domain/conflicts/conflict-db';
import type { ResolutionWrite } from '../../domain/conflicts/conflict-resolution';
import { withResolutionAudit } from '../../domain/conflicts/resolution-audit';

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

/**
 * A CouchDB database, as server admin `admin`, whose resolutions are written with their audit
 * entries naming that admin and `deviceId` (a server tool's resolution is in the record's history
 * like one made on a tablet).
 */
export function auditedNanoConflictDb(couch: CouchAdmin, dbName: string, admin: string, deviceId: string): ConflictDb {
  return withResolutionAudit(new NanoConflictDb(couch, dbName), () => ({
    updatedBy: admin,
    updatedAt: new Date().toISOString(),
    deviceId,
  }));
}
