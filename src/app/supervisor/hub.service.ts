import { Injectable, inject } from '@angular/core';
import {
  Observable,
  Subject,
  defer,
  delay,
  filter,
  firstValueFrom,
  merge,
  retry,
  share,
  switchMap,
  take,
  tap,
  throwError,
  timeout,
  timer,
} from 'rxjs';
import { ConflictDb } from '../../../domain/conflicts/conflict-db';
import { MergeStamp, Resolution } from '../../../domain/conflicts/conflict-resolution';
import { findConflictedDocs, mergeConflictedDoc } from '../../../domain/conflicts/conflicted-docs';
import { withResolutionAudit } from '../../../domain/conflicts/resolution-audit';
import { MergeResult } from '../../../domain/conflicts/three-way-merge';
import { AuditEntry, Defect, FieldbookDoc, Inspection } from '../../../domain/doc-types';
import { inspectionOwner } from '../../../domain/inspection-owner';
import { readAuditEntries } from '../audit/audit-source';
import { ResolutionWriterService } from '../conflicts/resolution-writer.service';
import { Database } from '../core/pouchdb';
import { REMOTE_DB_FACTORY } from '../core/remote-db';
import { SessionService } from '../core/session.service';
import { DocWriterService, Draft, newDocId } from '../data/doc-writer.service';
import { LOCAL_FIND_LIMIT } from '../data/find-limit';
import { DEFAULT_CHECKLIST, newChecklistItem } from '../data/inspection-store.service';
import { ProgressListener, downloadAttachment } from '../photos/attachment-download';
import { readOnArrival } from '../shared/read-on-arrival';
import { decidedSince } from './decided-since';
import { TeamFilter, TeamResults, findTeamPage } from './team-query';

export interface Assignment {
  title: string;
  site: string;
  scheduledFor: string;
  assignedTo: string;
}

export type Decision = 'approved' | 'rejected';

/** How long a live feed of the hub that failed waits before it is opened again. */
const FEED_RETRY_MS = 5_000;
/** How long one read of the review queue may take before it counts as the server out of reach. */
const QUEUE_READ_LIMIT_MS = 30_000;

/** A read of the review queue: the inspections waiting, or why they could not be read. */
export type QueueRead = { inspections: Inspection[] } | { error: unknown };

/** A decision as written, with the documents it replaced: enough to undo it. */
export interface ReviewRecord {
  decision: Decision;
  /** The inspection and its defects as they were before the decision. */
  before: FieldbookDoc[];
  /** The documents the decision wrote (with their new revisions), the inspection first; a defect it left as it was is not among them. */
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
  private readonly resolutions = inject(ResolutionWriterService);
  private opened: { name: string; db: Database } | null = null;
  /** A change to the hub: written here, or heard by `watch`. */
  private readonly changed = new Subject<void>();

  /** Creates a draft inspection in the hub for `assignedTo`; it reaches their device by replication. */
  async assign(assignment: Assignment): Promise<Inspection> {
    return this.wrote(
      await this.writer.save<Inspection>(
        {
          _id: newDocId('inspection'),
          type: 'inspection',
          status: 'draft',
          checklist: DEFAULT_CHECKLIST.map(newChecklistItem),
          ...assignment,
        },
        this.hub(),
      ),
    );
  }

  /**
   * Gives an inspection to another inspector. The revision names who it was taken from
   * (`unassignedFrom`: the assignee, or the creator if it had none), so the proxy's hub work
   * copies it into their database too and their tablet lets it go at its next sync.
   */
  async reassign(inspection: Inspection, to: string): Promise<Inspection> {
    const takenFrom = inspectionOwner(inspection);
    if (takenFrom === to) return inspection;
    return this.wrote(await this.writer.save<Inspection>({ ...inspection, assignedTo: to, unassignedFrom: takenFrom }, this.hub()));
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

  /**
   * The inspection's versions in the hub merged against the one they started from, when it has
   * more than one (null when it has not): a conflict the hub's own merge left for a person
   * (proxy/hub-conflict-merge.ts), or one a tablet has yet to resolve. A deletion counts, as on
   * a tablet (findConflictedDocs).
   */
  async conflictOf(inspectionId: string): Promise<MergeResult | null> {
    const db = this.hubConflicts();
    const [conflicted] = await findConflictedDocs(db, [inspectionId]);
    return conflicted ? mergeConflictedDoc(db, conflicted) : null;
  }

  /**
   * Settles a conflict of a hub record as a tablet resolves its own (ResolutionWriterService):
   * `decide` makes the resolution (resolveMerge or keepLeaf) with the stamp of this supervisor's
   * merge. The result goes on the winning version, tombstones on the others, then an audit
   * entry for the change, as on a tablet. Refused with a 409 (ResolutionConflictError) if a
   * version changed meanwhile; false when another version arrived while it was written.
   */
  async settle(decide: (stamp: MergeStamp) => Resolution): Promise<boolean> {
    return this.wrote(await this.resolutions.write(this.hubConflicts(), decide(this.resolutions.mergeStamp())));
  }

  /** The inspection's defects with their photo stubs, most severe first. */
  async defectsOf(inspectionId: string): Promise<HubDefect[]> {
    return (await this.findDefects(inspectionId)).sort((a, b) => b.severity - a.severity || a.title.localeCompare(b.title));
  }

  /** A photo or thumbnail of a defect in the hub. */
  attachment(defectId: string, name: string, onProgress?: ProgressListener): Promise<Blob> {
    return downloadAttachment(this.hub(), defectId, name, { onProgress });
  }

  /** A record's history in the hub, newest first: every save fan-in brought from the tablets, and the reviews. */
  history(docId: string): Promise<AuditEntry[]> {
    return readAuditEntries(this.hub(), docId);
  }

  /**
   * The same, read again after each decision, undo or reassignment made here and each change
   * `watch` hears, so the review page's history shows it: one read at a time, however many
   * changes a burst brings, and null for a read that failed (readOnArrival).
   */
  history$(docId: string): Observable<AuditEntry[] | null> {
    return readOnArrival(this.changed, () => this.history(docId));
  }

  /**
   * Follows the hub's copy of an inspection for as long as it is subscribed: emits once the
   * feed is set up (what is read from then on is current) and again each time anyone (an
   * inspector's tablet through the hub's replication, another supervisor) changes the
   * inspection, one of its defects or its history (follow). A feed that fails is told to
   * `failed` and set up again a few seconds later.
   */
  watch(inspectionId: string, failed: (error: unknown) => void = () => undefined): Observable<void> {
    return this.follow({ $or: [{ _id: inspectionId }, { inspectionId }, { docId: inspectionId }] }, failed).pipe(
      tap(() => this.changed.next()),
    );
  }

  /**
   * The inspections waiting for review (`submitted`), for as long as it is subscribed: read once
   * the hub's feed of inspections is set up, and again whenever an inspection changes there (a
   * submission arriving, a decision by anyone, which takes one out) or is written here. One
   * read at a time, however many changes a burst brings (readOnArrival). Defects, photos and
   * history entries do not wake it. A feed that fails (offline, a proxy restart) gives its
   * error, and a read once it is set up again. A read that fails gives its error too, as does
   * one not answered within 30 s (a request the network dropped must not hold back the reads
   * after it), and is tried again a few seconds later: the feed may stay up while nothing changes.
   */
  submitted$(): Observable<QueueRead> {
    return new Observable<QueueRead>((subscriber) => {
      // Any change to an inspection: one leaving `submitted` must take it out of the list.
      const feed = this.follow({ type: 'inspection' }, (error) => subscriber.next({ error })).pipe(share());
      const readFailed = new Subject<void>();
      return feed
        .pipe(
          // The first read waits for the feed, so no change falls between them.
          take(1),
          switchMap(() => readOnArrival(merge(feed, this.changed, readFailed.pipe(delay(FEED_RETRY_MS))), () => this.readQueue())),
          // readQueue gives a failure as its error, never as readOnArrival's null.
          filter((read) => read !== null),
          tap((read) => {
            if ('error' in read) readFailed.next();
          }),
        )
        .subscribe(subscriber);
    });
  }

  /** The team's inspections that `filter` lets through, the latest scheduled first (see team-query.ts). */
  team(filter: TeamFilter, limit: number): Promise<TeamResults> {
    return findTeamPage(this.hub(), filter, limit);
  }

  /**
   * Approves or rejects a submitted inspection; an empty comment is left out. The decision and
   * its defects' copy of it (`inspectionStatus`, which the rules read, since validate_doc_update
   * sees one document) are written together (the decision first, then each defect as stored then,
   * DocWriterService.saveWithCopies): an approval keeps the defects read-only for the inspector, a
   * rejection opens them again. An approval may share the inspection with partners:
   * their databases are fed from the hub by the `partners` field, and a replication selector
   * cannot join, so the defects get the same list (and their full-size photos, from the proxy's
   * hub work: proxy/photo-sharing-work.ts). Each decision sets the list anew: a
   * rejection (also of an approved inspection) shares with nobody, so the rework that follows
   * never reaches a partner, and the proxy withdraws what they had (domain/partner-share.ts).
   * An approval of defects other than `shown` (the ones on the supervisor's screen, by revision)
   * is refused with a 409: one that arrived or changed meanwhile would be approved, and shared,
   * unseen.
   */
  async review(
    inspection: Inspection,
    decision: Decision,
    comment: string,
    partners: readonly string[] = [],
    shown?: readonly { _id: string; _rev?: string }[],
  ): Promise<ReviewRecord> {
    const { reviewComment: _previous, ...doc } = unshared(inspection);
    const reviewComment = comment.trim();
    const shared = decision === 'approved' && partners.length ? { partners: [...partners] } : {};
    const defects = await this.findDefects(inspection._id);
    if (decision === 'approved' && shown && !sameRevisions(defects, shown)) {
      throw Object.assign(new Error('Defects changed since they were shown'), { status: 409 });
    }
    const { main, copies } = await this.writer.saveWithCopies<Inspection, HubDefect>(
      { ...doc, status: decision, ...(reviewComment ? { reviewComment } : {}), ...shared },
      defects,
      (defect) => ({ ...unshared(defect), inspectionStatus: decision, ...shared }),
      this.hub(),
    );
    return this.wrote({ decision, before: [inspection, ...defects], after: [main, ...copies] });
  }

  /**
   * Puts back what a decision replaced (the inspection's status, comment and partners, the
   * defects' copy of the status and partners) on the documents as they are now, the inspection
   * first: a revision the decision did not make (a copy's echo, an edit of another field) stays.
   * Refused with a 409 if someone decided on the inspection since, even the same way
   * (decidedSince): undoing would take back their decision; and an undone reopening, if anything
   * it wrote was edited since. Returns the inspection as restored.
   */
  async undo(record: ReviewRecord): Promise<Inspection> {
    const ids = record.after.map((doc) => doc._id);
    const { rows } = await this.hub().allDocs<FieldbookDoc>({ keys: ids, include_docs: true });
    const current = rows.map((row) => ('doc' in row ? row.doc : null));
    const inspection = current[0] as Inspection | null;
    if (!inspection || (await decidedSince(this.hub(), inspection, record.after[0] as Inspection))) {
      throw Object.assign(new Error('The decision has changed since'), { status: 409 });
    }
    // Undoing a reopening approves again, and shares again: what was approved, not an edit the
    // inspector made since (the reopening reached her tablet in seconds).
    const reopening = record.decision === 'rejected' && record.before[0]?.status === 'approved';
    if (reopening && current.some((doc, i) => doc?._rev !== record.after[i]!._rev)) {
      throw Object.assign(new Error('Edited since the reopening'), { status: 409 });
    }
    const before = new Map(record.before.map((doc) => [doc._id, doc]));
    const restore = <T extends FieldbookDoc>(doc: T) => restoreReviewFields(doc, before.get(doc._id) ?? doc);
    const defects = current.slice(1).flatMap((doc) => (doc ? [doc as FieldbookDoc] : []));
    const { main } = await this.writer.saveWithCopies<Inspection, FieldbookDoc>(
      restore(inspection),
      defects,
      (defect) => restore(defect) as Draft<FieldbookDoc>,
      this.hub(),
    );
    return this.wrote(main);
  }

  /**
   * A live `_changes` feed of the hub that the server filters by `selector`, for as long as it is
   * subscribed: emits once it is set up and again at each change it lets through. It starts at
   * the sequence read before that first emission, so nothing falls between a read made then and
   * the feed. One that fails (offline, a server restart) is told to `failed` and set up again a
   * few seconds later.
   */
  private follow(selector: PouchDB.Find.Selector, failed: (error: unknown) => void): Observable<void> {
    return defer(() => this.hub().info()).pipe(
      switchMap(
        ({ update_seq }) =>
          new Observable<void>((subscriber) => {
            subscriber.next();
            const changes = this.hub()
              .changes({ live: true, since: update_seq, selector } as PouchDB.Core.ChangesOptions)
              .on('change', () => subscriber.next())
              .on('error', (error) => subscriber.error(error));
            return () => changes.cancel();
          }),
      ),
      retry({
        delay: (error) => {
          failed(error);
          return timer(FEED_RETRY_MS);
        },
      }),
    );
  }

  /** One read of the review queue, a failure given as its error. */
  private readQueue(): Promise<QueueRead> {
    const answer = defer(() => this.submitted()).pipe(
      // A read left unanswered would hold back every read after it; status 0 is a fetch that failed.
      timeout({ first: QUEUE_READ_LIMIT_MS, with: () => throwError(() => ({ status: 0 })) }),
    );
    return firstValueFrom(answer).then(
      (inspections) => ({ inspections }),
      (error: unknown) => ({ error }),
    );
  }

  private wrote<T>(result: T): T {
    this.changed.next();
    return result;
  }

  private async findDefects(inspectionId: string): Promise<HubDefect[]> {
    const found = await this.hub().find({
      selector: { inspectionId, type: 'defect' },
      use_index: ['idx-inspection', 'inspection'],
      limit: LOCAL_FIND_LIMIT,
    });
    return found.docs as HubDefect[];
  }

  /** The hub as domain/conflicts reads and writes it: a resolution with its audit entries. */
  private hubConflicts(): ConflictDb {
    return withResolutionAudit(this.hub(), () => this.writer.stampChange({}));
  }

  private hub(): Database {
    const name = this.sessions.session()?.hub;
    if (!name) throw new Error('Only supervisors work in the hub');
    // One remote handle per hub name; a different user logging in may get another one.
    if (this.opened?.name !== name) this.opened = { name, db: this.openRemote(name) };
    return this.opened.db;
  }
}

function unshared<T extends { partners?: string[] }>(doc: T): T {
  const { partners: _previous, ...rest } = doc;
  return rest as T;
}

/** The fields a review writes, as `before` had them (absent where it had none), on `doc`. */
function restoreReviewFields<T extends FieldbookDoc>(doc: T, before: FieldbookDoc): T {
  const fields =
    doc.type === 'inspection' ? (['status', 'reviewComment', 'partners'] as const) : (['inspectionStatus', 'partners'] as const);
  const restored: Record<string, unknown> = { ...doc };
  for (const field of fields) {
    const value = (before as unknown as Record<string, unknown>)[field];
    if (value === undefined) delete restored[field];
    else restored[field] = value;
  }
  return restored as unknown as T;
}

/** Whether `docs` are the documents `seen`, each at the revision seen. */
function sameRevisions(docs: readonly { _id: string; _rev?: string }[], seen: readonly { _id: string; _rev?: string }[]): boolean {
  const revs = new Map(seen.map((doc) => [doc._id, doc._rev]));
  return docs.length === seen.length && docs.every((doc) => revs.has(doc._id) && revs.get(doc._id) === doc._rev);
}
