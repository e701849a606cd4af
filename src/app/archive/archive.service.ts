import { DestroyRef, Injectable, inject } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { EMPTY, Observable, concatMap, debounceTime, distinctUntilChanged, exhaustMap, filter, from, map, merge, switchMap } from 'rxjs';
import { isAuditId } from '../../../domain/audit-entry';
import { Inspection } from '../../../domain/doc-types';
import { isArchivable, isReassignedAway } from '../../../domain/tablet-archive';
import { ChangesFeedReader, LiveChange } from '../core/changes-feed-reader.service';
import { LocalDbService } from '../core/local-db.service';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { ReplicationService } from '../core/replication.service';
import { SessionService } from '../core/session.service';
import { CLOCK, DEVICE_ID } from '../data/doc-writer.service';
import { LOCAL_FIND_LIMIT } from '../data/find-limit';
import { leavesOf, purgeDoc } from '../data/purge-doc';
import { ArchiveIndexService } from './archive-index.service';
import { ArchiveSettingsService } from './archive-settings.service';
import { InspectionHoldService } from './inspection-hold.service';
import { LocalPurgeService, PurgeStopped } from './local-purge.service';
import { RecordRestoreService } from './record-restore.service';
import { DefectRestoreService } from '../conflicts/defect-restore.service';
import { PhotoCacheService } from '../photos/photo-cache.service';
import { SerialQueue } from '../shared/serial-queue';

/** Sync must stay quiet this long before a background run: a burst of pulls settles first. */
const QUIET_MS = 2_000;

/**
 * Takes closed inspections off the device: approved, their last change (the approval) older
 * than the server's archive period, and nothing of them unsynced, conflicted or typed and not
 * saved. Each is purged (LocalPurgeService) with its defects, photos and audit entries, after
 * its entry in the archive index, one at a time; a reload resumes by finding the rest again.
 * Then the full-size photos left are kept within their budget (PhotoCacheService). First, what
 * waits for the server is tried again: the records of inspections back (RecordRestoreService),
 * the defects of inspections kept over their deletion (DefectRestoreService). Runs in the
 * background when sync quiets, or at once from the Sync page.
 */
@Injectable({ providedIn: 'root' })
export class ArchiveService {
  private readonly localDb = inject(LocalDbService);
  private readonly replication = inject(ReplicationService);
  private readonly feed = inject(ChangesFeedReader);
  private readonly settings = inject(ArchiveSettingsService);
  private readonly index = inject(ArchiveIndexService);
  private readonly holds = inject(InspectionHoldService);
  private readonly purge = inject(LocalPurgeService);
  private readonly restores = inject(RecordRestoreService);
  private readonly defectRestores = inject(DefectRestoreService);
  private readonly photos = inject(PhotoCacheService);
  private readonly ledger = inject(PushLedgerService);
  private readonly clock = inject(CLOCK);
  private readonly device = inject(DEVICE_ID);
  private readonly sessions = inject(SessionService);
  private readonly destroyRef = inject(DestroyRef);
  private readonly runs = new SerialQueue();
  /** The last run asked for, until it ends. */
  private underWay: Promise<number> | null = null;
  /** Databases whose first run since their watch began looked for archived inspections back unheard: the watch hears the rest. */
  private readonly lookedBack = new WeakSet<Database>();
  private readonly ledgerChanged$ = merge(toObservable(this.ledger.pendingIds), toObservable(this.ledger.rejections));

  /** Starts archiving in the background; called once by the app shell. */
  watch(): void {
    const quiet$ = this.replication.status$.pipe(
      map((status) => status.state),
      distinctUntilChanged(),
      debounceTime(QUIET_MS),
      filter((state) => state === 'paused'),
    );
    quiet$
      .pipe(
        // Logged by archiveNow; the next quiet runs again.
        exhaustMap(() => this.archiveNow().catch(() => 0)),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe();
    // The open database's changes, from the moment it opens until it closes (logout, another
    // user): the watch of one database stops before it closes, and a look still under way then
    // no longer counts.
    this.localDb.db$
      .pipe(
        switchMap((db) => (db ? this.watchArchived(db) : EMPTY)),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe();
  }

  /**
   * An archived inspection changed on the server comes back with the pull: a live record
   * again. A change to only a defect of one (a supervisor's) does not bring the defect back
   * alone: it leaves again, silently (the archived view reads the server's state anyway), and
   * so does the audit entry of such a change. What the push ledger held back is looked at
   * again whenever its lists change (and held back again if it still must wait).
   */
  private watchArchived(db: Database): Observable<void> {
    // What the pull wrote before this watch began went unheard: the next run looks for it.
    this.lookedBack.delete(db);
    /** Records of archived inspections that came back and that the push ledger counts as unsynced, by id. */
    const heldBack = new Map<string, LiveChange>();
    const heldBack$ = this.ledgerChanged$.pipe(
      concatMap(() => {
        const held = [...heldBack.values()];
        heldBack.clear();
        return from(held);
      }),
    );
    return merge(this.feed.changes$, heldBack$).pipe(concatMap((change) => from(this.lookAgain(db, change, heldBack))));
  }

  /**
   * One change looked at. A look that fails is logged and the watch goes on with the next
   * change; one that fails because its database closed meanwhile (logout mid-look) is moot.
   */
  private async lookAgain(db: Database, change: LiveChange, heldBack: Map<string, LiveChange>): Promise<void> {
    try {
      if (this.index.has(change.id)) {
        // Still due (a change of its shape, `npm run migrate`, keeps its last change): the next run
        // takes it off again, and its defects stay on the server, not fetched for nothing.
        if (!isArchivable(change.doc as unknown as Inspection, this.settings.archiveDays(), this.clock()))
          await this.welcomeBack(db, change.id);
      } else if (this.archivedWith(change)) await this.letGoAgain(db, change, heldBack);
    } catch (error) {
      if (this.localDb.db() === db) console.warn('Looking at a change to an archived record failed', change.id, error);
    }
  }

  /**
   * Whether a change is of a defect of an archived inspection (archived with it, even deleted
   * without its body, or added on the server since), or an audit entry of an archived record
   * written on another device.
   */
  private archivedWith({ id, doc }: LiveChange): boolean {
    if (isAuditId(id)) return doc['deviceId'] !== this.device && this.index.holdsRecord(String(doc['docId']));
    if (!id.startsWith('defect:')) return false;
    const inspectionId = doc['inspectionId'];
    return this.index.holdsRecord(id) || (typeof inspectionId === 'string' && this.index.has(inspectionId));
  }

  private async letGoAgain(db: Database, change: LiveChange, heldBack: Map<string, LiveChange>): Promise<void> {
    const { id } = change;
    // An edit made here (a page left open since before the archiving) stays while unsynced
    // (audit entries written here are never let go: see archivedWith). So, for a moment, does a
    // pulled revision the feed told before the replication reported it as pulled: both leave
    // once the ledger lets them.
    heldBack.delete(id);
    // Read before the look: a revision written after it is not purged, and is heard in its turn.
    const leaves = await leavesOf(db, id);
    if (await this.ledger.holdsUnsynced(db, [id])) {
      heldBack.set(id, change);
      return;
    }
    await purgeDoc(db, id, leaves);
  }

  /**
   * Archives what is due now; resolves with how many inspections left the device since the
   * call, a run already under way (the background's) included. One run at a time. Rejects
   * when this run stopped on an error (logged out or the database closed mid-run, a failed
   * read): not "nothing to archive"; the next run picks up the rest.
   */
  archiveNow(): Promise<number> {
    const db = this.localDb.db();
    if (!db) return Promise.resolve(0);
    // One run per database across tabs too: every tab runs when sync quiets, and one whose search
    // listed an inspection another tab's run then took off found it gone, as if it had changed.
    const locked = async (): Promise<number> =>
      navigator.locks ? await navigator.locks.request(`fieldbook-archive:${db.name}`, () => this.run(db)) : this.run(db);
    const run = () =>
      locked().catch((error: unknown) => {
        console.warn('Archiving stopped', error);
        throw error;
      });
    const underWay = this.underWay;
    const next = (this.underWay = this.runs.run(run));
    const settled = () => {
      if (this.underWay === next) this.underWay = null;
    };
    void next.then(settled, settled);
    // A failed run under way is logged already; this call's own run says whether archiving works.
    return underWay ? Promise.all([underWay.catch(() => 0), next]).then(([before, now]) => before + now) : next;
  }

  /**
   * An archived inspection is back (changed on the server): it leaves the index, and its defects
   * come back from the server. Reassigned away from the user, it is let go instead
   * (UnassignmentService), and they stay on the server.
   */
  private async welcomeBack(db: Database, id: string): Promise<void> {
    const user = this.sessions.session()?.name;
    // The database closed meanwhile (logout, another user logging in): nothing more is done on it.
    if (this.localDb.db() !== db || !user) return;
    await this.index.remove(db, [id]);
    const doc = await db.get<Inspection>(id).catch(() => null);
    if (!doc || !isReassignedAway(doc, user)) await this.restores.restore(db, id);
  }

  /**
   * An archived inspection here again and no longer due (changed on the server) whose pull no
   * look heard: the tab closed between the two (a look waits behind the fetches of those
   * before it). One here and still due is a purge cut short, which the run finishes. Once per
   * watch of the database: while it lasts, it hears every change.
   */
  private async welcomeBackUnheard(db: Database, days: number, now: Date): Promise<void> {
    if (this.lookedBack.has(db)) return;
    const keys = await this.index.inspectionIds(db);
    const { rows } = keys.length ? await db.allDocs({ keys, include_docs: true }) : { rows: [] };
    for (const row of rows) {
      const doc = 'doc' in row ? (row.doc as Inspection | undefined) : undefined;
      if (doc && !isArchivable(doc, days, now)) await this.welcomeBack(db, doc._id);
    }
    this.lookedBack.add(db);
  }

  /** Whether the device holds nothing of `id`, not even a deletion: purged. */
  private async purged(db: Database, id: string): Promise<boolean> {
    return db.get(id).then(
      () => false,
      (error: { status?: number; reason?: string }) => error.status === 404 && error.reason === 'missing',
    );
  }

  private async run(db: Database): Promise<number> {
    // Sync has just caught up (or the user asked): the server likely answers.
    await this.restores.retry(db);
    await this.defectRestores.retry(db);
    const days = await this.settings.refresh();
    const now = this.clock();
    await this.welcomeBackUnheard(db, days, now);
    const found = await db.find({
      selector: { type: 'inspection', status: 'approved' },
      use_index: ['idx-type-status', 'type-status'],
      limit: LOCAL_FIND_LIMIT,
    });
    let archived = 0;
    for (const inspection of found.docs as (Inspection & { _rev: string })[]) {
      if (this.localDb.db() !== db) break;
      if (!isArchivable(inspection, days, now) || (await this.holds.holdOf(db, inspection._id))) continue;
      const listed = (await this.index.inspectionIds(db)).includes(inspection._id);
      try {
        await this.purge.purgeInspection(db, inspection, (records) =>
          this.index.add(db, {
            id: inspection._id,
            title: inspection.title,
            site: inspection.site,
            scheduledFor: inspection.scheduledFor,
            approvedAt: inspection.updatedAt,
            archivedAt: now.toISOString(),
            defectIds: records.filter((id) => id !== inspection._id),
          }),
        );
        archived++;
      } catch (error) {
        if (!(error instanceof PurgeStopped)) throw error;
        // Archived before this attempt and purged from the device: taken off by another run
        // meanwhile (another tab's, before the lock was taken there), not changed.
        if (listed && (await this.purged(db, inspection._id))) continue;
        // Edited here or reopened on the server meanwhile: it stays, with what already left.
        await this.welcomeBack(db, inspection._id);
      }
    }
    // Sync has caught up: the photos taken here that the server now has count towards the budget.
    if (this.localDb.db() === db) await this.photos.keepWithinBudget(db);
    return archived;
  }
}
