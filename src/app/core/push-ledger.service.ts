import { Injectable, computed, inject, signal } from '@angular/core';
import { LOCAL_DOC_IDS } from './local-doc-ids';
import { Subscription } from 'rxjs';
import { auditedDocId, isAuditId } from '../../../domain/audit-entry';
import { ChangesFeedReader, LocalChange } from './changes-feed-reader.service';
import { Database } from './pouchdb';
import { overwriteLocalDoc } from './local-doc';
import { SerialQueue } from '../shared/serial-queue';

const LEDGER_ID = LOCAL_DOC_IDS.pushLedger;
/** Where releases before the split kept the push checkpoint and refusals (with the conflicts). */
const OLD_LEDGER_ID = LOCAL_DOC_IDS.oldSyncLedger;

const READING_ID = LOCAL_DOC_IDS.pushLedgerReading;

/** Documents per `_revs_diff` request when checking pending revisions with the server. */
const REVS_DIFF_BATCH = 500;

/** A local revision the server refused, with CouchDB's `forbidden` reason. */
export interface Rejection {
  rev: string;
  reason: string;
  at: string;
}

interface LedgerDoc {
  _id: string;
  _rev?: string;
  pushedSeq: number | string;
  rejections: Record<string, Rejection>;
  /** Refusals cleared (a later revision got through), and when: another tab's copy of one is stale. */
  cleared?: Record<string, string>;
}

/** How long a cleared refusal is remembered: longer than any tab stays open holding a copy of it. */
const CLEARED_KEPT_MS = 30 * 24 * 3600_000;

/**
 * Which local edits have not reached the server yet (pending), and which the server refused.
 *
 * "Pending" means changed locally after the push replication's last checkpoint, in a
 * revision the server did not send. The checkpoint and refusals are kept in a `_local`
 * document (never replicated) so they survive reloads; a refusal is cleared once a later
 * revision of the doc gets through. What came from the server is known as it arrives; so that
 * a reload while offline does not count it as local edits, the ledger also keeps how far it read
 * the changes feed and the local edits it found up to there, and a reload reads on from there.
 *
 * It counts records, not their audit entries: five offline edits of one inspection are one
 * pending record. Before a logout, though, an entry not pushed yet counts as its record
 * (`unsyncedNow`): a record's entries are written after it (DocWriterService), so a
 * push checkpoint past the record may not be past them yet.
 */
@Injectable({ providedIn: 'root' })
export class PushLedgerService {
  private readonly feed = inject(ChangesFeedReader);
  private db: Database | null = null;
  private ledger: LedgerDoc = emptyLedger();
  private changes?: Subscription;
  // Revisions that arrived from the server and so are not local edits waiting to go up.
  private readonly pulledRevs = new Map<string, Set<string>>();
  /** Documents changed here after the push checkpoint: their latest change and its leaves the server did not send. */
  private readonly unpushed = new Map<string, Unpushed>();
  /** Everything up to here was read from the changes feed. */
  private readThrough = 0;
  /** Set once attach has read the changes feed: from then on everything up to `readThrough` has been noted. */
  private readFromStart = false;
  /** Local sequences the pull had written up to when it reported: once read up to one, the reading is stored. */
  private storeReadingAt: number[] = [];
  private readingRev?: string;
  /** One store of the reading at a time, each of the reading as it is then; at most one waits. */
  private readingStored: Promise<void> = Promise.resolve();
  private readingWaits = false;
  private readonly pending = signal<ReadonlySet<string>>(new Set());
  private readonly entriesPending = signal<ReadonlySet<string>>(new Set());
  private readonly refused = signal<Readonly<Record<string, Rejection>>>({});
  private readonly saves = new SerialQueue();
  /** Refusals cleared (a later revision got through), and when, here or as another tab stored them (LedgerDoc.cleared). */
  private cleared: Record<string, string> = {};

  readonly pendingIds = this.pending.asReadonly();
  /**
   * Records with an audit entry not pushed yet: a conflict resolution's entries are written after
   * it, so the push may have taken the record alone. The record must stay until they are pushed.
   */
  readonly pendingEntryRecords = this.entriesPending.asReadonly();
  readonly rejections = this.refused.asReadonly();
  readonly pendingCount = computed(() => this.pending().size);
  readonly rejectedCount = computed(() => Object.keys(this.refused()).length);
  /** Documents whose latest local revision the server does not have: pending or refused. */
  readonly unsyncedCount = computed(() => new Set([...this.pending(), ...Object.keys(this.refused())]).size);

  async attach(db: Database): Promise<void> {
    this.detach();
    this.db = db;
    const [ledger, reading] = await Promise.all([storedLedger(db), db.get<ReadingDoc>(READING_ID).catch(() => null)]);
    this.ledger = ledger;
    this.learnCleared(ledger.cleared);
    this.refused.set({ ...ledger.rejections });
    const pushed = Number(ledger.pushedSeq);
    this.readingRev = reading?._rev;
    this.readThrough = Math.max(pushed, reading?.seq ?? 0);
    for (const [id, change] of Object.entries(reading?.unpushed ?? {})) if (change.seq > pushed) this.unpushed.set(id, change);
    this.publishPending();
    // Noted as each change is heard, before later listeners (a page rereading that document)
    // hear it: a local edit must render "pending", not "synced" until a read catches up.
    // Listening before the first read: nothing between the two is missed, and a change heard
    // is read: the live feed hears them in order, so a later read starts after it.
    this.changes = this.feed.changes$.subscribe((change) => {
      this.note([change]);
      this.readThrough = Math.max(this.readThrough, change.seq);
      this.storeReadingIfRead();
    });
    await this.readToNow();
    this.readFromStart = this.db === db;
  }

  detach(): void {
    this.changes?.unsubscribe();
    this.db = null;
    this.ledger = emptyLedger();
    this.pulledRevs.clear();
    this.unpushed.clear();
    this.readThrough = 0;
    this.readFromStart = false;
    this.storeReadingAt = [];
    this.readingRev = undefined;
    this.pending.set(new Set());
    this.entriesPending.set(new Set());
    this.refused.set({});
    this.cleared = {};
  }

  /**
   * `unsyncedCount` after reading the changes feed up to now: an edit saved a moment ago counts,
   * and so does a refusal another tab's push heard (this tab's push may have started past it).
   */
  async unsyncedNow(): Promise<number> {
    await this.readToNow();
    const db = this.db;
    const stored = await db?.get<LedgerDoc>(LEDGER_ID).catch(() => null);
    if (stored && db === this.db) {
      this.learnCleared(stored.cleared);
      this.adoptRejections(stored.rejections);
    }
    const refused = this.refused();
    const entriesOf = [...this.unpushed.values()].flatMap(({ record }) => (record && !refused[record] ? [record] : []));
    return new Set([...this.pending(), ...Object.keys(refused), ...entriesOf]).size;
  }

  /** Whether this ledger keeps the books of `db`: a replication of another user's database reports nothing here. */
  isAttachedTo(db: Database): boolean {
    return this.db === db;
  }

  /** The push replication saved a checkpoint: everything up to `seq` has been offered to the server. */
  async pushCheckpoint(seq: number | string): Promise<void> {
    if (Number(seq) <= Number(this.ledger.pushedSeq)) return;
    this.ledger.pushedSeq = seq;
    this.publishPending();
    await this.save();
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
        this.cleared[doc._id] = new Date().toISOString();
        changed = true;
      }
    }
    if (changed) await this.setRejections(rejections);
  }

  /** These revisions came from the server. */
  pulled(docs: { _id: string; _rev?: string }[]): void {
    let changed = false;
    let added = false;
    for (const { _id: id, _rev: rev } of docs) {
      if (!rev) continue;
      added = true;
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
    if (added) this.storeReadingOnceRead();
  }

  /**
   * The server refused revision `rev` of `id` (CouchDB names it in its answer); without one, the
   * current local revision. A revision saved since stays pending, not refused.
   */
  async rejected(id: string, reason: string, refusedRev?: string): Promise<void> {
    const db = this.db;
    if (!db) return;
    const rev =
      refusedRev ??
      (await db.get(id).then(
        (doc) => doc._rev,
        () => '',
      ));
    await this.setRejections({ ...this.refused(), [id]: { rev, reason, at: new Date().toISOString() } });
  }

  /**
   * Whether a local edit up to local sequence `seq` has not reached the server yet, after
   * reading the changes feed up to now.
   */
  async hasUnpushedUpTo(seq: number): Promise<boolean> {
    await this.readToNow();
    return [...this.unpushed.values()].some((change) => change.seq <= seq);
  }

  /**
   * Whether any of these documents of `db` holds a local revision the server does not have
   * (pending or refused), after reading the changes feed up to now: an edit saved a moment ago
   * counts. Before this ledger keeps `db`'s books (a reload's first moments), anything may.
   */
  async holdsUnsynced(db: Database, ids: readonly string[]): Promise<boolean> {
    if (db !== this.db) return true;
    await this.readToNow();
    const refused = this.refused();
    return ids.some((id) => (this.unpushed.has(id) && !this.unpushed.get(id)!.record) || id in refused);
  }

  /**
   * Asks the server which revisions counted as pending it has already: pushed or pulled before
   * a reload that came before this ledger stored what it knew of them. Those stop counting.
   * After a reload in the middle of a first pull they can be thousands, hence the batches.
   */
  async confirmWithServer(remote: Database): Promise<void> {
    const db = this.db;
    await this.readToNow();
    const entries = [...this.unpushed];
    for (let start = 0; start < entries.length; start += REVS_DIFF_BATCH) {
      const batch = entries.slice(start, start + REVS_DIFF_BATCH);
      const missing = await remote.revsDiff(Object.fromEntries(batch.map(([id, { revs }]) => [id, revs])));
      if (db !== this.db) return;
      this.pulled(
        batch.flatMap(([id, { revs }]) =>
          revs.filter((rev) => !missing[id]?.missing?.includes(rev)).map((rev) => ({ _id: id, _rev: rev })),
        ),
      );
    }
  }

  // Reading the changes feed costs a document read per change, which adds up while a first
  // sync writes thousands: after attach the live feed's changes carry all the ledger needs,
  // and a read only makes sure of everything up to now (what the live feed has not told yet).
  private async readToNow(): Promise<void> {
    const db = this.db;
    if (!db) return;
    const { changes, lastSeq } = await this.feed.read(db, this.readThrough);
    if (db !== this.db) return;
    this.readThrough = Math.max(this.readThrough, lastSeq);
    this.note(changes);
    this.storeReadingIfRead();
  }

  /**
   * Stores the reading once the changes feed is read up to what has been written now, the pull's
   * documents included (the live feed often tells of them after the pull reports them).
   */
  private storeReadingOnceRead(): void {
    const db = this.db;
    void db?.info().then(
      ({ update_seq }) => {
        if (db !== this.db) return;
        this.storeReadingAt.push(Number(update_seq));
        this.storeReadingIfRead();
      },
      () => undefined,
    );
  }

  private storeReadingIfRead(): void {
    if (!this.readFromStart || !this.storeReadingAt.some((seq) => seq <= this.readThrough)) return;
    this.storeReadingAt = this.storeReadingAt.filter((seq) => seq > this.readThrough);
    if (this.readingWaits) return;
    this.readingWaits = true;
    const db = this.db;
    this.readingStored = this.readingStored
      .then(async () => {
        this.readingWaits = false;
        if (!db || db !== this.db) return;
        const reading: ReadingDoc = {
          _id: READING_ID,
          _rev: this.readingRev,
          seq: this.readThrough,
          unpushed: Object.fromEntries(this.unpushed),
        };
        this.readingRev = await overwriteLocalDoc(db, reading);
      })
      // Not stored (the database closed meanwhile): the next start reads the changes from further back.
      .catch(() => undefined);
  }

  // Runs for every change the live feed hears, which a migration or a first push makes thousands
  // of while as many records are pending: so it changes the published sets by what each change
  // changes (a copy of a set only when it gains or loses one), not by counting all of them again.
  private note(changes: LocalChange[]): void {
    const pushed = Number(this.ledger.pushedSeq);
    const refused = this.refused();
    let ids: Set<string> | null = null;
    let entryRecords: Set<string> | null = null;
    let recount = false;
    for (const change of changes) {
      const known = this.unpushed.get(change.id);
      // A read that started before a later edit of the same doc must not put back its older change.
      if (change.seq <= pushed || (known && known.seq > change.seq) || change.id.startsWith('_design/')) continue;
      const pulled = this.pulledRevs.get(change.id);
      const revs = change.changes.map(({ rev }) => rev).filter((rev) => !pulled?.has(rev));
      const entry = revs.length ? { seq: change.seq, revs, ...(isAuditId(change.id) ? { record: recordOf(change.id) } : {}) } : undefined;
      if (entry) this.unpushed.set(change.id, entry);
      else this.unpushed.delete(change.id);
      const before = countedAs(change.id, known, refused);
      const after = countedAs(change.id, entry, refused);
      if (before === after) continue;
      if (isAuditId(change.id)) {
        // Another entry of the same record may still count it.
        if (before !== null) recount = true;
        else if (!(entryRecords ?? this.entriesPending()).has(after!)) (entryRecords ??= new Set(this.entriesPending())).add(after!);
      } else {
        ids ??= new Set(this.pending());
        if (before !== null) ids.delete(before);
        else ids.add(after!);
      }
    }
    if (recount) {
      this.publishPending();
      return;
    }
    if (ids) this.pending.set(ids);
    if (entryRecords) this.entriesPending.set(entryRecords);
  }

  private publishPending(): void {
    // The local database's sequence numbers are integers; the push checkpoint is one of them.
    const pushed = Number(this.ledger.pushedSeq);
    for (const [id, { seq }] of this.unpushed) if (seq <= pushed) this.unpushed.delete(id);
    // A revision the server refused is not waiting to sync: it is refused, from the moment the
    // push reports it, not only once that push's checkpoint is stored (which going offline
    // in between would put off until the next connection).
    const refused = this.refused();
    const ids = new Set<string>();
    const entryRecords = new Set<string>();
    for (const [id, entry] of this.unpushed) {
      const counted = countedAs(id, entry, refused);
      if (counted === null) continue;
      if (entry.record) entryRecords.add(counted);
      else ids.add(counted);
    }
    if (!sameIds(ids, this.pending())) this.pending.set(ids);
    if (!sameIds(entryRecords, this.entriesPending())) this.entriesPending.set(entryRecords);
  }

  private async setRejections(rejections: Record<string, Rejection>): Promise<void> {
    this.ledger.rejections = rejections;
    this.refused.set(rejections);
    this.publishPending();
    await this.save();
  }

  /**
   * Stores the ledger, merged with what other tabs stored meanwhile: the furthest checkpoint, and
   * every refusal either knows of but those cleared here since (a tab's push may start past an edit
   * another tab's push had refused; overwritten, that refusal was forgotten, and a logout deleted
   * the edit without asking). Refused (a full storage), it stays as it is here, stored by the next
   * change; the replication's reports that call this are not awaited, and a reload only counts more pending.
   */
  private save(): Promise<void> {
    // One at a time: each merges what this tab knows when its turn comes.
    return this.saves.run(() => this.saveMerged());
  }

  private async saveMerged(): Promise<void> {
    const db = this.db;
    if (!db) return;
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const stored = await db.get<LedgerDoc>(LEDGER_ID).catch(() => null);
        // Detached meanwhile (logout, another user): no write into a database being closed or deleted.
        if (db !== this.db) return;
        this.learnCleared(stored?.cleared);
        const merged: LedgerDoc = {
          ...this.ledger,
          _rev: stored?._rev,
          pushedSeq: Math.max(Number(stored?.pushedSeq ?? 0), Number(this.ledger.pushedSeq)),
          rejections: this.mergedRejections(stored?.rejections ?? {}),
          cleared: this.cleared,
        };
        try {
          const { rev } = await db.put(merged);
          if (db !== this.db) return;
          this.ledger = { ...merged, _rev: rev };
          this.adoptRejections(merged.rejections);
          return;
        } catch (error) {
          if ((error as { status?: number }).status !== 409) throw error;
        }
      }
    } catch (error) {
      console.error('Storing the push ledger failed', error);
    }
  }

  /** Knows the refusals `stored` by another tab too (mergedRejections), and counts by them. */
  private adoptRejections(stored: Readonly<Record<string, Rejection>>): void {
    const merged = this.mergedRejections(stored);
    if (sameIds(new Set(Object.keys(merged)), new Set(Object.keys(this.refused())))) return;
    this.ledger.rejections = merged;
    this.refused.set(merged);
    this.publishPending();
  }

  /** This tab's refusals and those `stored` by another tab, the later of two, but for those cleared since they were refused. */
  private mergedRejections(stored: Readonly<Record<string, Rejection>>): Record<string, Rejection> {
    const merged: Record<string, Rejection> = {};
    for (const [id, rejection] of [...Object.entries(stored), ...Object.entries(this.refused())]) {
      if (!merged[id] || merged[id].at <= rejection.at) merged[id] = rejection;
    }
    for (const [id, clearedAt] of Object.entries(this.cleared)) if (merged[id] && merged[id].at < clearedAt) delete merged[id];
    return merged;
  }

  /** The clearings `stored` by another tab too, the latest of each; those older than CLEARED_KEPT_MS are dropped. */
  private learnCleared(stored: Readonly<Record<string, string>> | undefined): void {
    const since = new Date(Date.now() - CLEARED_KEPT_MS).toISOString();
    const cleared: Record<string, string> = {};
    for (const [id, at] of [...Object.entries(stored ?? {}), ...Object.entries(this.cleared)]) {
      if (at >= since && (!cleared[id] || cleared[id] < at)) cleared[id] = at;
    }
    this.cleared = cleared;
  }
}

/** The stored ledger; on a device updated from a release before the split, what that one stored. */
async function storedLedger(db: Database): Promise<LedgerDoc> {
  const own = await db.get<LedgerDoc>(LEDGER_ID).catch(() => null);
  if (own) return { ...emptyLedger(), ...own };
  const old = await db.get<Partial<LedgerDoc>>(OLD_LEDGER_ID).catch(() => null);
  return { ...emptyLedger(), pushedSeq: old?.pushedSeq ?? 0, rejections: old?.rejections ?? {} };
}

function sameIds(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((id) => b.has(id));
}

/** The changes feed read up to `seq`: of the changes up to there, the local edits not pushed (what the server sent is not among them). */
interface ReadingDoc {
  _id: string;
  _rev?: string;
  seq: number;
  unpushed: Record<string, Unpushed>;
}

/** A local change the push has not taken yet: its sequence, its leaves the server did not send, and an audit entry's record. */
interface Unpushed {
  seq: number;
  revs: string[];
  record?: string;
}

/**
 * What the unpushed change `entry` of `id` counts as pending: the record (an audit entry's record),
 * or nothing, when there is none or all its leaves are the revision the server refused.
 */
function countedAs(id: string, entry: Unpushed | undefined, refused: Readonly<Record<string, Rejection>>): string | null {
  if (!entry || entry.revs.every((rev) => rev === refused[id]?.rev)) return null;
  return entry.record ?? id;
}

/** The record an audit entry counts for; an entry that names none counts apart. */
function recordOf(entryId: string): string {
  return auditedDocId(entryId) ?? entryId;
}

function emptyLedger(): LedgerDoc {
  return { _id: LEDGER_ID, pushedSeq: 0, rejections: {} };
}
