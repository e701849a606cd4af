import { Injectable, inject } from '@angular/core';
import { Defect, FieldbookDoc, Inspection } from '../../../domain/doc-types';
import { Database } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { SessionService } from '../core/session.service';
import { DocWriterService, Draft, newDocId } from '../data/doc-writer.service';
import { LOCAL_FIND_LIMIT } from '../data/find-limit';
import { DEFAULT_CHECKLIST, newChecklistItem } from '../data/inspection-store.service';

export interface Assignment {
  title: string;
  site: string;
  scheduledFor: string;
  assignedTo: string;
}

export type Decision = 'approved' | 'rejected';

/**
 * The supervisor's work in the hub database, read and written through the proxy rather than
 * a local replica: the server's replication jobs carry assignments and decisions to inspectors.
 */
@Injectable({ providedIn: 'root' })
export class HubService {
  private readonly sessions = inject(SessionService);
  private readonly openRemote = inject(REMOTE_DB_FACTORY);
  private readonly writer = inject(DocWriterService);
  private opened: { name: string; db: Database } | null = null;

  /** Creates a draft inspection in the hub for `assignedTo`; it reaches their device by replication. */
  async assign(assignment: Assignment): Promise<Inspection> {
    return this.writer.save<Inspection>(
      {
        _id: newDocId('inspection'),
        type: 'inspection',
        status: 'draft',
        checklist: DEFAULT_CHECKLIST.map(newChecklistItem),
        ...assignment,
      },
      this.hub(),
    );
  }

  /** Inspections waiting for review, soonest scheduled first. */
  async submitted(): Promise<Inspection[]> {
    const found = await this.hub().find({
      selector: { type: 'inspection', status: 'submitted' },
      use_index: ['idx-type-status', 'type-status'],
      limit: LOCAL_FIND_LIMIT,
    });
    return (found.docs as Inspection[]).sort((a, b) => a.scheduledFor.localeCompare(b.scheduledFor));
  }

  /**
   * Approves or rejects a submitted inspection; an empty comment is left out. The decision and
   * its defects' copy of it (`inspectionStatus`, which the rules read, since validate_doc_update
   * sees one document) go in one `_bulk_docs`: an approval keeps the defects read-only for the
   * inspector, a rejection opens them again. An approval may share the inspection with partners:
   * their databases are fed from the hub by the `partners` field, and a replication selector
   * cannot join, so the defects get the same list.
   */
  async review(inspection: Inspection, decision: Decision, comment: string, partners: readonly string[] = []): Promise<Inspection> {
    const { reviewComment: _previous, ...doc } = inspection;
    const reviewComment = comment.trim();
    const shared = decision === 'approved' && partners.length ? { partners: [...partners] } : {};
    const hub = this.hub();
    const found = await hub.find({
      selector: { inspectionId: inspection._id, type: 'defect' },
      use_index: ['idx-inspection', 'inspection'],
      limit: LOCAL_FIND_LIMIT,
    });
    const defects = (found.docs as Defect[]).map((defect) => ({ ...defect, inspectionStatus: decision, ...shared }));
    const [saved] = await this.writer.saveAll<FieldbookDoc>(
      [{ ...doc, status: decision, ...(reviewComment ? { reviewComment } : {}), ...shared }, ...defects] as Draft<FieldbookDoc>[],
      hub,
    );
    return saved as Inspection;
  }

  private hub(): Database {
    const name = this.sessions.session()?.hub;
    if (!name) throw new Error('Only supervisors work in the hub');
    // One remote handle per hub name; a different user logging in may get another one.
    if (this.opened?.name !== name) this.opened = { name, db: this.openRemote(name) };
    return this.opened.db;
  }
}
