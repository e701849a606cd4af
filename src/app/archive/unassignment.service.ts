import { DestroyRef, Injectable, inject } from '@angular/core';
import { takeUntilDestroyed, toObservable } from '@angular/core/rxjs-interop';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { EMPTY, concatMap, filter, from, map, merge, switchMap } from 'rxjs';
import { auditedDocId, isAuditId } from '../../../domain/audit-entry';
import { Inspection } from '../../../domain/doc-types';
import { isPhotoId, photoDefectId } from '../../../domain/photo-doc';
import { isReassignedAway } from '../../../domain/tablet-archive';
import { ChangesFeedReader, LiveChange } from '../core/changes-feed-reader.service';
import { ConflictIndexService } from '../core/conflict-index.service';
import { LocalDbService } from '../core/local-db.service';
import { LOCAL_FIND_LIMIT } from '../data/find-limit';
import { DraftStore } from '../drafts/draft-store.service';
import { leavesOf, purgeDoc } from '../data/purge-doc';
import { LOCAL_DOC_IDS } from '../core/local-doc-ids';
import { LocalRecordMap, withoutKeys } from '../core/local-record-map';
import { Database } from '../core/pouchdb';
import { PushLedgerService } from '../core/push-ledger.service';
import { SessionService } from '../core/session.service';
import { InspectionHoldService } from './inspection-hold.service';
import { LocalPurgeService, PurgeStopped } from './local-purge.service';
import { RecordRestoreService } from './record-restore.service';

/** How long the notice stays: long enough to read a title. */
const NOTICE_MS = 10_000;

/** In the queue of looks: every inspection waiting, read when its turn comes (checkWaiting). */
const WAITING = Symbol('waiting');

/**
 * An inspection let go: who it went to, so a later change of it arriving is let go without a
 * word, and the records purged with it, whose own later revisions are let go too.
 */
interface LetGo {
  to: string;
  at: string;
  records?: string[];
}

/** The live versions of an inspection: its winner, and the other sides of a conflict. */
async function liveVersions(db: Database, id: string): Promise<Inspection[]> {
  const leaves = (await db.get(id, { open_revs: 'all' }).catch(() => [])) as { ok?: Inspection & { _deleted?: boolean } }[];
  return leaves.flatMap((leaf) => (leaf.ok && !leaf.ok._deleted ? [leaf.ok] : []));
}

/** The record an audit entry or a photo document belongs to (`audit:<record id>:…`, `photo:<defect id>:…`); a record's own id otherwise. */
function recordOf(id: string): string | null {
  return isAuditId(id) ? auditedDocId(id) : isPhotoId(id) ? photoDefectId(id) : id;
}

/**
 * Lets an inspection a supervisor reassigned away leave this device. The reassigning revision
 * arrives by the ordinary pull (it names the user in `unassignedFrom`; the proxy's hub work
 * copied it into their server database). The user's unsynced edits of it, and of its defects, are pushed first:
 * it waits while any are pending or typed and not saved, and while any of its records is in
 * conflict, unless a version of the inspection is the reassignment: the user may no longer change
 * it (the rules refuse her a resolution), every version is on the server, and the hub merges such
 * a conflict (proxy/hub-conflict-merge.ts). Edits the server refused keep it here and the user is
 * told so. Then it is purged with its defects, photos and audit
 * entries (LocalPurgeService), and the user is told who has it now.
 */
@Injectable({ providedIn: 'root' })
export class UnassignmentService {
  private readonly localDb = inject(LocalDbService);
  private readonly sessions = inject(SessionService);
  private readonly feed = inject(ChangesFeedReader);
  private readonly holds = inject(InspectionHoldService);
  private readonly purge = inject(LocalPurgeService);
  private readonly snackBar = inject(MatSnackBar);
  private readonly restores = inject(RecordRestoreService);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  /** The inspections let go, by id. */
  private readonly letGo = new LocalRecordMap<LetGo>(LOCAL_DOC_IDS.reassigned, 'letGo');
  /** Inspections reassigned away and held here; true once the user was told the server refused their edits. */
  private readonly waiting = new Map<string, boolean>();
  /**
   * Records with edits waiting to be pushed at some point since the database opened: if an
   * inspection let go has any, the user's edits were sent first (the push may well finish
   * before the pull brings the reassignment).
   */
  private readonly unpushedHere = new Set<string>();
  /** Inspections let go here and the records purged with them: a revision of one arriving later (its push racing the purge, a supervisor's change) is purged too. */
  private readonly letGoRecords = new Set<string>();
  private readonly ledger = inject(PushLedgerService);
  private readonly pendingIds$ = toObservable(this.ledger.pendingIds);
  private readonly conflictIds$ = toObservable(inject(ConflictIndexService).conflictIds);
  /** The ledger, the conflicts or the drafts changed (one saved, or discarded): what waits may go now. */
  private readonly unblocked$ = merge(
    this.pendingIds$,
    toObservable(this.ledger.pendingEntryRecords),
    toObservable(this.ledger.rejections),
    this.conflictIds$,
    toObservable(inject(DraftStore).inspectionIds),
  );

  /** Starts watching; called once by the app shell. */
  watch(): void {
    this.localDb.db$
      .pipe(
        switchMap((db) => {
          this.waiting.clear();
          this.unpushedHere.clear();
          this.letGoRecords.clear();
          if (!db) return EMPTY;
          const noted$ = this.pendingIds$.pipe(
            concatMap((ids) => {
              for (const id of ids) this.unpushedHere.add(id);
              return EMPTY;
            }),
          );
          return merge(
            noted$,
            // What arrived before a reload and was not let go yet.
            from(this.reassignedHere(db)).pipe(concatMap((ids) => from(ids))),
            this.feed.changes$.pipe(
              filter((change) => this.concerns(change)),
              map((change) => change.id),
            ),
            // An inspection in conflict whose winning version is not the reassignment (her
            // offline edits made a longer branch): the index and the feed see the winner only.
            this.conflictIds$.pipe(concatMap((ids) => from([...ids].filter((id) => id.startsWith('inspection:'))))),
            this.unblocked$.pipe(map((): typeof WAITING => WAITING)),
          ).pipe(
            // One at a time: a purge must not race a second look at the same inspection.
            concatMap((item: string | typeof WAITING) =>
              from(typeof item === 'symbol' ? this.checkWaiting(db) : this.checkLogged(db, item)),
            ),
            map(() => undefined),
          );
        }),
        takeUntilDestroyed(this.destroyRef),
      )
      .subscribe();
  }

  /**
   * Whether a change can matter here, from the body the feed carries: a first pull brings
   * thousands of inspections, and reading each again to find none reassigned held up its writes.
   */
  private concerns({ id, doc }: LiveChange): boolean {
    // Not a defect by its `inspectionId`: one saved here after the letting go (a form left
    // open) is the user's unsynced work, and stays to sync.
    if (this.letGoRecords.has(recordOf(id) ?? '')) return true;
    if (!id.startsWith('inspection:')) return false;
    const user = this.sessions.session()?.name;
    return this.waiting.has(id) || (!!user && !doc._deleted && isReassignedAway(doc as Partial<Inspection>, user));
  }

  private async reassignedHere(db: Database): Promise<string[]> {
    const user = this.sessions.session()?.name;
    for (const [id, { records }] of Object.entries(await this.letGo.read(db)))
      for (const record of [id, ...(records ?? [])]) this.letGoRecords.add(record);
    if (!user) return [];
    const found = await db.find({
      selector: { unassignedFrom: user, type: 'inspection' },
      fields: ['_id'],
      use_index: ['idx-unassigned', 'unassigned'],
      limit: LOCAL_FIND_LIMIT,
    });
    return (found.docs as { _id: string }[]).map((doc) => doc._id);
  }

  /**
   * Looks again at every inspection waiting, as they are when this turn comes: one whose look
   * was under way when the ledger changed may count as waiting only once that look ends (a purge
   * stopped by a revision the ledger had not heard of yet); read when the change came, it was
   * missed, and it stayed on the tablet with nothing left to hold it.
   */
  private async checkWaiting(db: Database): Promise<void> {
    for (const id of [...this.waiting.keys()]) await this.checkLogged(db, id);
  }

  private checkLogged(db: Database, id: string): Promise<void> {
    return this.check(db, id).catch((error: unknown) => console.warn('Letting go failed', id, error));
  }

  private async check(db: Database, id: string): Promise<void> {
    const user = this.sessions.session()?.name;
    if (!user || this.localDb.db() !== db) return;
    if (!id.startsWith('inspection:')) {
      // A record of an inspection let go (its defect, an audit entry, a photo), back by the pull;
      // it or its record saved here (a page left open, a photo taken) is the user's work, which
      // stays to be pushed. Read before the look: a revision written after it is not purged, and
      // is heard in its turn.
      const leaves = await leavesOf(db, id);
      if (!(await this.ledger.holdsUnsynced(db, [id, recordOf(id) ?? id]))) await purgeDoc(db, id, leaves);
      return;
    }
    const doc = await db.get<Inspection>(id).catch(() => null);
    // Once let go, it stays gone until it is assigned to the user again.
    const letGo = this.letGoRecords.has(id);
    const reassignment = doc && (await liveVersions(db, id)).find((version) => isReassignedAway(version, user));
    if (!doc || doc.type !== 'inspection' || !(reassignment || (letGo && doc.assignedTo !== user))) {
      this.waiting.delete(id);
      if (doc && letGo) await this.givenBack(db, id);
      return;
    }
    const to = (reassignment || doc).assignedTo ?? '';
    // A conflict holds it only when none of its versions is the reassignment (see above).
    const hold = await this.holds.holdOf(db, id, { conflicts: !reassignment });
    if (hold) {
      const toldRefused = this.waiting.get(id) ?? false;
      if (hold === 'refused' && !toldRefused) {
        this.tell(
          $localize`:@@unassigned.refused:"${doc.title}:title:" was reassigned to ${to}:inspector:; the server refused your edits of it, so it stays on this tablet with them.`,
        );
      }
      this.waiting.set(id, toldRefused || hold === 'refused');
      return;
    }
    this.waiting.delete(id);
    const hadEdits = (await this.holds.recordIds(db, id)).some((recordId) => this.unpushedHere.has(recordId));
    const toldBefore = !!(await this.letGo.read(db))[id];
    // Known as let go before the purge starts: the feed is filtered as it goes, so a revision
    // of one of its records the pull writes during the purge must already count as theirs.
    this.letGoRecords.add(id);
    let records: string[];
    try {
      records = await this.purge.purgeInspection(db, doc, (found) => found.forEach((record) => this.letGoRecords.add(record)));
    } catch (error) {
      if (!(error instanceof PurgeStopped)) throw error;
      // Saved here meanwhile: it waits for that edit to be pushed, with what already left back.
      for (const record of [id, ...error.records]) this.letGoRecords.delete(record);
      this.waiting.set(id, false);
      await this.restores.restore(db, id);
      return;
    }
    // Its page, if open, shows what is no longer here: back to the list.
    if (decodeURIComponent(this.router.url).startsWith(`/inspections/${id}`)) void this.router.navigateByUrl('/inspections');
    const at = new Date().toISOString();
    await this.letGo.update(db, (letGo) => ({ ...letGo, [id]: { to, at, records } }));
    if (toldBefore) return;
    this.tell(
      hadEdits
        ? $localize`:@@unassigned.sent:"${doc.title}:title:" was reassigned to ${to}:inspector:; your edits were sent.`
        : $localize`:@@unassigned.gone:"${doc.title}:title:" was reassigned to ${to}:inspector:.`,
    );
  }

  /** Given back to the user: a live record again, with the defects it left with, from the server. */
  private async givenBack(db: Database, id: string): Promise<void> {
    const entry = (await this.letGo.read(db))[id] as LetGo | undefined;
    for (const record of [id, ...(entry?.records ?? [])]) this.letGoRecords.delete(record);
    await this.letGo.update(db, (letGo) => withoutKeys(letGo, [id]));
    await this.restores.restore(db, id);
  }

  private tell(message: string): void {
    this.snackBar.open(message, $localize`:@@unassigned.ok:OK`, { duration: NOTICE_MS });
  }
}
