import { Injectable, computed, inject, signal } from '@angular/core';
import { Subject, Subscription, auditTime, tap } from 'rxjs';
import { ConflictedDoc, conflictCandidateIds, findConflictedDocs } from '../../../domain/conflicts/conflicted-docs';
import { LocalChange, LocalDbService, localChange } from './local-db.service';
import { Database } from './pouchdb';

const LEDGER_ID = '_local/fieldbook-sync-ledger';

/** Documents per `_revs_diff` request when checking pending revisions with the server. */
const REVS_DIFF_BATCH = 500;

interface CheckpointEmitter {
  on(event: 'checkpoint', listener: (info: { checkpoint?: number | string }) => void): unknown;
}

/** A local revision the server refused, with CouchDB's `forbidden` reason. */
export interface Rejection {
  rev: string;
  reason: string;
  at: string;
}

export type RecordSyncStatus = 'pending' | 'synced' | 'rejected' | 'conflict';

interface LedgerDoc {
  _id: string;
  _rev?: string;
  pushedSeq: number | string;
  rejections: Record<string, Rejection>;
  /** Ids of documents with conflicting revisions, as of `conflictSeq`. */
  conflicts: string[];
  conflictSeq: number | string;
}

/**
 * Which local documents have not reached the server yet, which the server refused, and
 * which have conflicting revisions.
 *
 * "Pending" means changed locally after the push replication's last checkpoint. The
 * checkpoint and refusals are kept in a `_local` document (never replicated) so they
 * survive reloads; a refusal is cleared once a later revision of the doc gets through.
 * Conflicts are tracked incrementally from the changes feed: a map/reduce view would do
 * the same, but PouchDB evaluates view code with `eval`, which the proxy's CSP forbids.
 * They include a deletion on one device against an edit on another, which CouchDB leaves
 * out of `_conflicts`.
 */
@Injectable({ providedIn: 'root' })
export class SyncLedgerService {
  private readonly localDb = inject(LocalDbService);
  private db: Database | null = null;
  private ledger: LedgerDoc = emptyLedger();
  private changes?: Subscription;
  // Revisions that arrived from the server and so are not local edits waiting to go up.
  private readonly pulledRevs = new Map<string, Set<string>>();
  /** Documents changed here after the push checkpoint: their latest change and its leaves the server did not send. */
  private readonly unpushed = new Map<string, { seq: number; revs: string[] }>();
  /** Where the next read of the changes feed starts: past everything read or heard of. */
  private scannedSeq = 0;
  /** Everything up to here was read from the changes feed; a change heard of up to here is old news. */
  private readThrough = 0;
  /** Changes heard of from the live feed, not yet looked at. */
  private readonly heard: LocalChange[] = [];
  private readRequested = false;
  private readonly pending = signal<ReadonlySet<string>>(new Set());
  private readonly refused = signal<Readonly<Record<string, Rejection>>>({});
  private readonly conflicted = signal<ReadonlySet<string>>(new Set());
  private readonly conflictUpdates = new Subject<ConflictedDoc[]>();
  /** Ids the next refresh checks whatever the changes feed says. */
  private readonly recheck = new Set<string>();
  private refreshing: { db: Database; done: Promise<void> } | null = null;
  private refreshAgain = false;

  readonly pendingIds = this.pending.asReadonly();
  readonly rejections = this.refused.asReadonly();
  readonly pendingCount = computed(() => this.pending().size);
  readonly rejectedCount = computed(() => Object.keys(this.refused()).length);
  readonly conflictIds = this.conflicted.asReadonly();
  readonly conflictCount = computed(() => this.conflicted().size);
  /**
   * Conflicted documents to look at (again), with their leaves: every known one once a
   * database is attached, then those newly conflicted or with new revisions while conflicted.
   */
  readonly conflictUpdates$ = this.conflictUpdates.asObservable();
  /** Documents whose latest local revision the server does not have: pending or refused. */
  readonly unsyncedCount = computed(() => new Set([...this.pending(), ...Object.keys(this.refused())]).size);

  async attach(db: Database): Promise<void> {
    this.detach();
    this.db = db;
    this.ledger = { ...emptyLedger(), ...(await db.get<LedgerDoc>(LEDGER_ID).catch(() => ({}))) };
    // Edits are pending after the push checkpoint, conflicts were recorded up to conflictSeq.
    this.scannedSeq = Math.min(Number(this.ledger.pushedSeq), Number(this.ledger.conflictSeq));
    this.refused.set({ ...this.ledger.rejections });
    this.conflicted.set(new Set(this.ledger.conflicts));
    for (const id of this.ledger.conflicts) this.recheck.add(id);
    // Listening before the first read: nothing between the two is missed.
    this.changes = this.localDb.changes$
      .pipe(
        tap((change) => {
          this.heard.push(change);
          this.noteHeard(change);
        }),
        auditTime(50),
      )
      .subscribe(() => void this.requestRefresh());
    await this.requestRefresh(true);
  }

  detach(): void {
    this.changes?.unsubscribe();
    this.db = null;
    this.ledger = emptyLedger();
    this.pulledRevs.clear();
    this.unpushed.clear();
    this.scannedSeq = 0;
    this.readThrough = 0;
    this.heard.length = 0;
    this.readRequested = false;
    this.recheck.clear();
    this.pending.set(new Set());
    this.refused.set({});
    this.conflicted.set(new Set());
  }

  /**
   * Records what a replication reports: the server's refusals, the revisions it accepted or
   * sent, and the push's checkpoints while `current()` (a replication being replaced may
   * still report one).
   */
  follow(direction: 'push' | 'pull', replication: PouchDB.Replication.Replication<object>, current: () => boolean = () => true): void {
    replication
      .on('denied', (error) => {
        const denial = error as { id?: string; reason?: string; message?: string };
        if (direction === 'push' && denial.id) void this.rejected(denial.id, denial.reason || denial.message || 'refused by the server');
      })
      .on('change', (info) => {
        const docs = (info as { docs?: { _id: string; _rev?: string }[] }).docs ?? [];
        if (direction === 'push') void this.pushed(docs);
        else this.pulled(docs);
      });
    if (direction === 'push') {
      // Not in PouchDB's typings: emitted after each batch's checkpoint is stored.
      (replication as unknown as CheckpointEmitter).on('checkpoint', (info) => {
        if (current() && info.checkpoint !== undefined) void this.pushCheckpoint(info.checkpoint);
      });
    }
  }

  /** The push replication saved a checkpoint: everything up to `seq` has been offered to the server. */
  async pushCheckpoint(seq: number | string): Promise<void> {
    if (Number(seq) <= Number(this.ledger.pushedSeq)) return;
    this.ledger.pushedSeq = seq;
    this.publishPending();
    await this.save();
    await this.requestRefresh();
  }

  /** Takes the push checkpoint another tab stored, if it is further along. */
  async adoptStoredCheckpoint(): Promise<void> {
    const db = this.db;
    const stored = await db?.get<LedgerDoc>(LEDGER_ID).catch(() => null);
    if (!stored || db !== this.db || Number(stored.pushedSeq) <= Number(this.ledger.pushedSeq)) return;
    this.ledger = { ...this.ledger, pushedSeq: stored.pushedSeq, _rev: stored._rev };
    this.publishPending();
  }

  /** The server accepted these revisions. */
  async pushed(docs: { _id: string }[]): Promise<void> {
    const rejections = { ...this.refused() };
    let changed = false;
    for (const doc of docs) {
      if (rejections[doc._id]) {
        delete rejections[doc._id];
        changed = true;
      }
    }
    if (changed) await this.setRejections(rejections);
  }

  /** These revisions came from the server. */
  pulled(docs: { _id: string; _rev?: string }[]): void {
    let changed = false;
    for (const { _id: id, _rev: rev } of docs) {
      if (!rev) continue;
      const revs = this.pulledRevs.get(id) ?? new Set<string>();
      this.pulledRevs.set(id, revs.add(rev));
      // The changes feed may have shown this revision before the pull reported it.
      const unpushed = this.unpushed.get(id);
      if (unpushed?.revs.includes(rev)) {
        unpushed.revs = unpushed.revs.filter((other) => other !== rev);
        if (!unpushed.revs.length) this.unpushed.delete(id);
        changed = true;
      }
    }
    if (changed) this.publishPending();
  }

  /**
   * Whether a local edit up to local sequence `seq` has not reached the server yet, after
   * reading the changes feed up to now.
   */
  async hasUnpushedUpTo(seq: number): Promise<boolean> {
    await this.requestRefresh(true);
    return [...this.unpushed.values()].some((change) => change.seq <= seq);
  }

  /**
   * Asks the server which revisions counted as pending it has already: pulled before a
   * reload (this ledger keeps what was pulled in memory only). Those stop counting. After a
   * reload in the middle of a first pull they can be thousands, hence the batches.
   */
  async confirmWithServer(remote: Database): Promise<void> {
    const db = this.db;
    await this.requestRefresh(true);
    const entries = [...this.unpushed];
    for (let start = 0; start < entries.length; start += REVS_DIFF_BATCH) {
      const batch = entries.slice(start, start + REVS_DIFF_BATCH);
      const missing = await remote.revsDiff(Object.fromEntries(batch.map(([id, { revs }]) => [id, revs])));
      if (db !== this.db) return;
      this.pulled(batch.flatMap(([id, { revs }]) => revs.filter((rev) => !missing[id]?.missing?.includes(rev)).map((rev) => ({ _id: id, _rev: rev }))));
    }
  }

  /** The server refused the current local revision of `id`. */
  async rejected(id: string, reason: string): Promise<void> {
    const db = this.db;
    if (!db) return;
    const rev = await db.get(id).then((doc) => doc._rev, () => '');
    await this.setRejections({ ...this.refused(), [id]: { rev, reason, at: new Date().toISOString() } });
  }

  /**
   * Documents whose conflict this device just resolved: off the list at once rather than after
   * the refresh their writes trigger, which still checks them (another version may have arrived).
   */
  resolved(ids: readonly string[]): void {
    if (!ids.length) return;
    const remaining = new Set(this.conflicted());
    for (const id of ids) {
      remaining.delete(id);
      this.recheck.add(id);
    }
    this.conflicted.set(remaining);
    void this.requestRefresh();
  }

  /** The badge for one document read with `{conflicts: true}`. */
  statusOf(doc: { _id: string; _rev?: string; _conflicts?: string[] }): RecordSyncStatus {
    const rejection = this.refused()[doc._id];
    if (rejection && rejection.rev === doc._rev) return 'rejected';
    if (doc._conflicts?.length || this.conflicted().has(doc._id)) return 'conflict';
    if (this.pending().has(doc._id)) return 'pending';
    return 'synced';
  }

  /**
   * Looks at what the live feed told of, and with `read` first reads the changes feed from
   * `scannedSeq` (on attach, or to be sure of everything up to now). One refresh at a time:
   * bursts of changes (a pull batch, photos) coalesce into one rerun.
   */
  private requestRefresh(read = false): Promise<void> {
    const db = this.db;
    if (!db) return Promise.resolve();
    this.readRequested ||= read;
    if (this.refreshing?.db === db) {
      this.refreshAgain = true;
      return this.refreshing.done;
    }
    const run = { db, done: Promise.resolve() };
    run.done = (async () => {
      try {
        do {
          this.refreshAgain = false;
          await this.refresh();
        } while (this.refreshAgain && this.db === db);
      } catch (error) {
        // A database closed under a running refresh (logout, switching users) is expected.
        if (this.db === db) console.error('Sync ledger refresh failed', error);
      } finally {
        if (this.refreshing === run) this.refreshing = null;
      }
    })();
    this.refreshing = run;
    return run.done;
  }

  // Reading the changes feed costs a document read per change, which adds up while a first
  // sync writes thousands: the live feed's changes carry all the ledger needs.
  private async refresh(): Promise<void> {
    const db = this.db;
    if (!db) return;
    const changes = this.heard.splice(0).filter((change) => change.seq > this.readThrough);
    if (this.readRequested) {
      this.readRequested = false;
      // `all_docs` lists every leaf: a conflict has several, and a local edit is a leaf the server did not send.
      const { results, last_seq } = await db.changes({ since: this.scannedSeq, style: 'all_docs' });
      if (db !== this.db) return;
      changes.push(...results.map(localChange));
      this.readThrough = Math.max(this.readThrough, Number(last_seq));
    }
    for (const change of changes) this.scannedSeq = Math.max(this.scannedSeq, change.seq);
    this.scannedSeq = Math.max(this.scannedSeq, this.readThrough);
    const changed = changes.filter((change) => !change.id.startsWith('_design/'));
    this.notePending(changed);
    await this.refreshConflicts(db, changed, this.scannedSeq);
  }

  private notePending(changes: LocalChange[]): void {
    for (const change of changes) {
      const pulled = this.pulledRevs.get(change.id);
      const revs = change.changes.map(({ rev }) => rev).filter((rev) => !pulled?.has(rev));
      if (revs.length) this.unpushed.set(change.id, { seq: change.seq, revs });
      else this.unpushed.delete(change.id);
    }
    this.publishPending();
  }

  /**
   * A change just heard from the live feed, noted at once rather than after the coalesced
   * refresh: every page that rereads on the same change (the list, the editor) must find a
   * local edit pending when it renders the doc, not "synced" until the refresh catches up.
   * The refresh still looks at it (conflicts, and it may turn out pulled after all).
   */
  private noteHeard(change: LocalChange): void {
    if (change.seq <= this.readThrough || change.seq <= Number(this.ledger.pushedSeq) || change.id.startsWith('_design/')) return;
    const pulled = this.pulledRevs.get(change.id);
    const revs = change.changes.map(({ rev }) => rev).filter((rev) => !pulled?.has(rev));
    if (!revs.length) return;
    this.unpushed.set(change.id, { seq: change.seq, revs });
    if (!this.pending().has(change.id)) this.publishPending();
  }

  private publishPending(): void {
    // The local database's sequence numbers are integers; the push checkpoint is one of them.
    const pushed = Number(this.ledger.pushedSeq);
    for (const [id, { seq }] of this.unpushed) if (seq <= pushed) this.unpushed.delete(id);
    // A revision the server refused is not waiting to sync: it is refused, from the moment the
    // push reports it, not only once that push's checkpoint is stored (which going offline
    // in between would put off until the next connection).
    const refused = this.refused();
    const ids = new Set([...this.unpushed].filter(([id, { revs }]) => !revs.every((rev) => rev === refused[id]?.rev)).map(([id]) => id));
    if (!sameIds(ids, this.pending())) this.pending.set(ids);
  }

  private async refreshConflicts(db: Database, changed: LocalChange[], seq: number): Promise<void> {
    const recheck = [...this.recheck];
    this.recheck.clear();
    if (!changed.length && !recheck.length) return;
    const candidates = new Set([...conflictCandidateIds(changed), ...recheck]);
    const found = await findConflictedDocs(db, [...candidates]);
    if (db !== this.db) return;
    const conflicted = new Set(found.map((doc) => doc.id));
    const ids = new Set(this.conflicted());
    for (const id of [...changed.map((change) => change.id), ...recheck]) {
      if (conflicted.has(id)) ids.add(id);
      else ids.delete(id);
    }
    this.ledger.conflictSeq = seq;
    // An unchanged set need not be written now: the seq goes along with the next save, and
    // rereading a few changes after a reload is cheap.
    if (!sameIds(ids, this.conflicted())) {
      this.conflicted.set(ids);
      this.ledger.conflicts = [...ids];
      await this.save();
    }
    if (found.length) this.conflictUpdates.next(found);
  }

  private async setRejections(rejections: Record<string, Rejection>): Promise<void> {
    this.ledger.rejections = rejections;
    this.refused.set(rejections);
    this.publishPending();
    await this.save();
  }

  // Other tabs write the same ledger; on a conflict take their revision and write ours over it.
  private async save(): Promise<void> {
    const db = this.db;
    if (!db) return;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const result = await db.put<LedgerDoc>({ ...this.ledger });
        this.ledger._rev = result.rev;
        return;
      } catch (error) {
        if ((error as { status?: number }).status !== 409) throw error;
        const theirs = await db.get<LedgerDoc>(LEDGER_ID);
        this.ledger._rev = theirs._rev;
      }
    }
  }
}

function sameIds(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((id) => b.has(id));
}

function emptyLedger(): LedgerDoc {
  return { _id: LEDGER_ID, pushedSeq: 0, rejections: {}, conflicts: [], conflictSeq: 0 };
}
