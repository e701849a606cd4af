import { InjectionToken, inject } from '@angular/core';
import { Observable, filter } from 'rxjs';
import { auditIdRange } from '../../../domain/audit-entry';
import { AuditEntry } from '../../../domain/doc-types';
import { ChangesFeedReader } from '../core/changes-feed-reader.service';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { readOnArrival } from '../shared/read-on-arrival';

/** Where a record's history is read: the local database, or (a supervisor's review) the hub. */
export interface AuditSource {
  /** The record's audit entries, newest first, as they come; null when a read failed (a later one may not). */
  entries(docId: string): Observable<AuditEntry[] | null>;
}

/**
 * A record's entries in `db`, newest first. Their ids sort by record, then time
 * (`audit:<docId>:<at>:…`), so the primary index finds them: no Mango index to build and
 * keep warm on every device for a page read now and then.
 */
export async function readAuditEntries(db: Database, docId: string): Promise<AuditEntry[]> {
  const { startkey, endkey } = auditIdRange(docId);
  const { rows } = await db.allDocs<AuditEntry>({ startkey: endkey, endkey: startkey, descending: true, include_docs: true });
  return rows.flatMap((row) => (row.doc ? [row.doc as AuditEntry] : [])).sort(mergesAfterTheirEdits);
}

/**
 * An automatic merge is dated by the newest edit it merged, so their ids differ only after the
 * time, by device: at the same time, the merge comes first (newest first), whatever the device.
 */
function mergesAfterTheirEdits(a: AuditEntry, b: AuditEntry): number {
  if (a.at !== b.at) return a.at < b.at ? 1 : -1;
  return Number(!!b.merge) - Number(!!a.merge);
}

/** The local database's history, read again whenever an entry of the record arrives (a save here, a pull). */
export const AUDIT_SOURCE = new InjectionToken<AuditSource>('AUDIT_SOURCE', {
  factory: () => {
    const localDb = inject(LocalDbService);
    const changedIds$ = inject(ChangesFeedReader).changedIds$;
    return {
      entries: (docId) => {
        const { startkey } = auditIdRange(docId);
        const arrived$ = changedIds$.pipe(filter((id) => id.startsWith(startkey)));
        return readOnArrival(arrived$, async () => readAuditEntries(localDb.require(), docId));
      },
    };
  },
});
