import { Injectable, inject } from '@angular/core';
import { Defect, FieldbookDoc, Inspection } from '../../../domain/doc-types';
import { Database } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { SessionService } from '../core/session.service';
import { DocWriterService, Draft, newDocId } from '../data/doc-writer.service';
import { LOCAL_FIND_LIMIT } from '../data/find-limit';
import { DEFAULT_CHECKLIST, newChecklistItem } from '../data/inspection-store.service';
import { TeamFilter, TeamResults, findTeamPage } from './team-query';

export interface Assignment {
  title: string;
  site: string;
  scheduledFor: string;
  assignedTo: string;
}

export type Decision = 'approved' | 'rejected';

/** A decision as written, with the documents it replaced: enough to undo it. */
export interface ReviewRecord {
  decision: Decision;
  /** The inspection and its defects as they were before the decision. */
  before: FieldbookDoc[];
  /** The same documents as the decision wrote them (with their new revisions). */
  after: FieldbookDoc[];
}

/** A defect as the hub stores it: photos are stubs until read with `attachment`. */
export type HubDefect = Defect & { _attachments?: PouchDB.Core.Attachments };

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

  /** An inspection of the team, as the hub has it now. */
  inspection(id: string): Promise<Inspection> {
    return this.hub().get<Inspection>(id);
  }

  /** The inspection's defects with their photo stubs, most severe first. */
  async defectsOf(inspectionId: string): Promise<HubDefect[]> {
    return (await this.findDefects(inspectionId)).sort((a, b) => b.severity - a.severity || a.title.localeCompare(b.title));
  }

  /** A photo or thumbnail of a defect in the hub. */
  async attachment(defectId: string, name: string): Promise<Blob> {
    return (await this.hub().getAttachment(defectId, name)) as Blob;
  }

  /** The team's inspections that `filter` lets through, the latest scheduled first (see team-query.ts). */
  team(filter: TeamFilter, limit: number): Promise<TeamResults> {
    return findTeamPage(this.hub(), filter, limit);
  }

  /**
   * Approves or rejects a submitted inspection; an empty comment is left out. The decision and
   * its defects' copy of it (`inspectionStatus`, which the rules read, since validate_doc_update
   * sees one document) go in one `_bulk_docs`: an approval keeps the defects read-only for the
   * inspector, a rejection opens them again. An approval may share the inspection with partners:
   * their databases are fed from the hub by the `partners` field, and a replication selector
   * cannot join, so the defects get the same list.
   */
  async review(inspection: Inspection, decision: Decision, comment: string, partners: readonly string[] = []): Promise<ReviewRecord> {
    const { reviewComment: _previous, ...doc } = inspection;
    const reviewComment = comment.trim();
    const shared = decision === 'approved' && partners.length ? { partners: [...partners] } : {};
    const defects = await this.findDefects(inspection._id);
    const after = await this.writer.saveAll<FieldbookDoc>(
      [
        { ...doc, status: decision, ...(reviewComment ? { reviewComment } : {}), ...shared },
        ...defects.map((defect) => ({ ...defect, inspectionStatus: decision, ...shared })),
      ] as Draft<FieldbookDoc>[],
      this.hub(),
    );
    return { decision, before: [inspection, ...defects], after };
  }

  /**
   * Puts back what a decision replaced (status, comment, partners, the defects' copy of the
   * status) as new revisions on top of the decision's, in one `_bulk_docs`; a 409 if any of
   * them changed since. Returns the inspection as restored.
   */
  async undo(record: ReviewRecord): Promise<Inspection> {
    const drafts = record.before.map((doc, i) => ({ ...doc, _rev: record.after[i]._rev }));
    const [restored] = await this.writer.saveAll<FieldbookDoc>(drafts as Draft<FieldbookDoc>[], this.hub());
    return restored as Inspection;
  }

  private async findDefects(inspectionId: string): Promise<HubDefect[]> {
    const found = await this.hub().find({
      selector: { inspectionId, type: 'defect' },
      use_index: ['idx-inspection', 'inspection'],
      limit: LOCAL_FIND_LIMIT,
    });
    return found.docs as HubDefect[];
  }

  private hub(): Database {
    const name = this.sessions.session()?.hub;
    if (!name) throw new Error('Only supervisors work in the hub');
    // One remote handle per hub name; a different user logging in may get another one.
    if (this.opened?.name !== name) this.opened = { name, db: this.openRemote(name) };
    return this.opened.db;
  }
}
