import { Injectable, computed, inject, signal } from '@angular/core';
import { LOCAL_DOC_IDS } from './local-doc-ids';
import { Observable, Subject, Subscription, auditTime, tap } from 'rxjs';
import { ConflictedDoc, conflictCandidateIds, findConflictedDocs } from '../../../domain/conflicts/conflicted-docs';
import { ChangesFeedReader, LocalChange } from './changes-feed-reader.service';
import { overwriteLocalDoc } from './local-doc';
import { Database } from './pouchdb';
import { SerialQueue } from '../shared/serial-queue';

const INDEX_ID = LOCAL_DOC_IDS.conflictIndex;
/**
 * Changes looked at before the index is saved although no conflict came or went: a reload
 * reads the changes since the saved sequence, one document each, and after a first pull of
 * 50,000 documents that was all of them, on every start.
 */
export const UNSAVED_CHANGES_MAX = 1_000;
/** Where releases before the split kept the conflicts (with the push checkpoint). */
const OLD_LEDGER_ID = LOCAL_DOC_IDS.oldSyncLedger;

interface IndexDoc {
  _id: string;
  _rev?: string;
  /** Ids of documents with conflicting revisions, as of `seq`. */
  conflicts: string[];
  seq: number | string;
}

/**
 * Which local documents have conflicting revisions, kept up to date from the changes feed.
 * A map/reduce view would do the same, but PouchDB evaluates view code with `eval`, which
 * the proxy's CSP forbids. It includes a deletion on one device against an edit on another,
 * which CouchDB leaves out of `_conflicts`. The list is kept in a `_local` document, so a
 * reload reads only the changes since.
 */
@Injectable({ providedIn: 'root' })
export class ConflictIndexService {
  private readonly feed = inject(ChangesFeedReader);
  private db: Database | null = null;
  private index: IndexDoc = emptyIndex();
  private changes?: Subscription;
  /** Changes heard of from the live feed, not yet looked at. */
  private readonly heard: LocalChange[] = [];
  /** Everything up to here was read from the changes feed; a change heard of up to here is old news. */
  private readThrough = 0;
  /** The sequence the stored index is as of. */
  private savedSeq = 0;
  /** Ids the next update checks whatever the changes feed says. */
  private readonly recheck = new Set<string>();
  /** One update at a time: bursts of changes (a pull batch, photos) coalesce into the next one. */
  private readonly updateRuns = new SerialQueue();
  private readonly conflicted = signal<ReadonlySet<string>>(new Set());
  private readonly updates = new Subject<ConflictedDoc[]>();

  readonly conflictIds = this.conflicted.asReadonly();
  readonly conflictCount = computed(() => this.conflicted().size);
  /**
   * Conflicted documents to look at (again), with their leaves: every known one once a
   * database is attached, then those newly conflicted or with new revisions while conflicted.
   */
  readonly conflictUpdates$: Observable<ConflictedDoc[]> = this.updates.asObservable();

  async attach(db: Database): Promise<void> {
    this.detach();
    this.db = db;
    this.index = await storedIndex(db);
    this.readThrough = this.savedSeq = Number(this.index.seq);
    this.conflicted.set(new Set(this.index.conflicts));
    for (const id of this.index.conflicts) this.recheck.add(id);
    // Listening before the first read: nothing between the two is missed.
    this.changes = this.feed.changes$
      .pipe(
        // Without the body the live feed carries: a first pull may be heard faster than it is read.
        tap(({ id, seq, changes }) => this.heard.push({ id, seq, changes })),
        auditTime(50),
      )
      .subscribe(() => void this.update());
    await this.update(true);
  }

  detach(): void {
    this.changes?.unsubscribe();
    this.db = null;
    this.index = emptyIndex();
    this.heard.length = 0;
    this.readThrough = this.savedSeq = 0;
    this.recheck.clear();
    this.conflicted.set(new Set());
  }

  /**
   * Documents whose conflict this device just resolved: off the list at once rather than after
   * the update their writes trigger, which still checks them (another version may have arrived).
   */
  resolved(ids: readonly string[]): void {
    if (!ids.length) return;
    const remaining = new Set(this.conflicted());
    for (const id of ids) {
      remaining.delete(id);
      this.recheck.add(id);
    }
    this.conflicted.set(remaining);
    void this.update();
  }

  private update(read = false): Promise<void> {
    const db = this.db;
    const run = async () => {
      try {
        await this.checkChanges(db, read);
      } catch (error) {
        // A database closed under a running update (logout, switching users) is expected.
        if (db && this.db === db) console.error('Conflict index update failed', error);
      }
    };
    return this.updateRuns.run(run);
  }

  private async checkChanges(db: Database | null, read: boolean): Promise<void> {
    if (!db || db !== this.db) return;
    const changes = this.heard.splice(0).filter((change) => change.seq > this.readThrough);
    if (read) {
      const fromFeed = await this.feed.read(db, this.readThrough);
      if (db !== this.db) return;
      changes.push(...fromFeed.changes);
      this.readThrough = Math.max(this.readThrough, fromFeed.lastSeq);
    }
    const seq = changes.reduce((furthest, change) => Math.max(furthest, change.seq), this.readThrough);
    const changed = changes.filter((change) => !change.id.startsWith('_design/'));
    const recheck = [...this.recheck];
    this.recheck.clear();
    if (!changed.length && !recheck.length) return;
    const found = await findConflictedDocs(db, [...new Set([...conflictCandidateIds(changed), ...recheck])]);
    if (db !== this.db) return;
    const conflicted = new Set(found.map((doc) => doc.id));
    const ids = new Set(this.conflicted());
    for (const id of [...changed.map((change) => change.id), ...recheck]) {
      if (conflicted.has(id)) ids.add(id);
      else ids.delete(id);
    }
    this.index.seq = seq;
    // An unchanged set need not be written after every change: the seq goes along with the
    // next save, and rereading a few changes after a reload is cheap; a thousand are not.
    if (!sameIds(ids, this.conflicted())) {
      this.conflicted.set(ids);
      this.index.conflicts = [...ids];
      await this.save(db);
    } else if (seq - this.savedSeq >= UNSAVED_CHANGES_MAX) await this.save(db);
    if (found.length) this.updates.next(found);
  }

  private async save(db: Database): Promise<void> {
    const seq = Number(this.index.seq);
    this.index._rev = await overwriteLocalDoc(db, this.index);
    this.savedSeq = Math.max(this.savedSeq, seq);
  }
}

/** The stored index; on a device updated from a release before the split, what that one stored. */
async function storedIndex(db: Database): Promise<IndexDoc> {
  const own = await db.get<IndexDoc>(INDEX_ID).catch(() => null);
  if (own) return { ...emptyIndex(), ...own };
  const old = await db.get<{ conflicts?: string[]; conflictSeq?: number | string }>(OLD_LEDGER_ID).catch(() => null);
  return { ...emptyIndex(), conflicts: old?.conflicts ?? [], seq: old?.conflictSeq ?? 0 };
}

function sameIds(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((id) => b.has(id));
}

function emptyIndex(): IndexDoc {
  return { _id: INDEX_ID, conflicts: [], seq: 0 };
}
