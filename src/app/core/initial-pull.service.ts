import { Injectable, inject, signal } from '@angular/core';
import { PHOTO_ID_RANGE } from '../../../domain/photo-doc';
import { LOCAL_DOC_IDS } from './local-doc-ids';
import { Database } from './pouchdb';
import { INITIAL_PULL_BATCH_SIZE } from './replication-options';
import { initialPull } from './initial-pull';
import { PushLedgerService } from './push-ledger.service';
import { ReplicatorService } from './replicator.service';

const MARKER_ID = LOCAL_DOC_IDS.initialPull;

/** Where the device's first pull stands; a `_local` document, so it survives reloads and is never replicated. */
interface Marker {
  _id: string;
  _rev?: string;
  /** The server sequence the first pull has stored everything up to. */
  seq: number | string;
  /** PouchDB's replicator has taken over from `seq` (its checkpoint is written). */
  done: boolean;
}

/** Documents the first pull has stored, of how many the server has (design documents aside); 0 of 0 until the server said. */
export interface InitialPullProgress {
  pulled: number;
  total: number;
}

/**
 * A device's first pull of the user's database, by `initialPull` (see there why), then
 * handed to PouchDB's replicator (ReplicatorService.handOver). Interrupted (offline, reload,
 * logout of the tab), it resumes where it got to. A device that synced before this existed
 * has no marker but holds documents: the replicator simply carries on there.
 */
@Injectable({ providedIn: 'root' })
export class InitialPullService {
  private readonly ledger = inject(PushLedgerService);
  private readonly replicator = inject(ReplicatorService);
  private readonly state = signal<InitialPullProgress | null>(null);

  /** While a first pull runs: how far it is. */
  readonly progress = this.state.asReadonly();

  /**
   * Pulls everything the device does not have yet if it never finished a first pull;
   * `started` is called if it does. Rejects on failure or abort.
   */
  async ensure(local: Database, remote: Database, signal: AbortSignal, started: () => void = () => undefined): Promise<void> {
    // One tab at a time: another tab of the app may be pulling into the same database.
    if (!navigator.locks) return this.run(local, remote, signal, started);
    await navigator.locks.request(`fieldbook-first-pull:${local.name}`, { signal }, () => this.run(local, remote, signal, started));
  }

  private async run(local: Database, remote: Database, signal: AbortSignal, started: () => void): Promise<void> {
    const stored: Marker | null = await local.get<Marker>(MARKER_ID).catch(() => null);
    if (stored?.done) {
      // Perhaps done by another tab, which also moved the push checkpoint past what it pulled.
      await this.ledger.adoptStoredCheckpoint();
      return;
    }
    let pulled = await storedDocCount(local);
    if (!stored && pulled > 0) {
      await saveMarker(local, { _id: MARKER_ID, seq: 0, done: true });
      return;
    }
    started();
    // Resuming after a reload: what the earlier run stored would count as local edits.
    if (stored) await this.ledger.confirmWithServer(remote);
    // Nothing to count yet: the chip says "Checking for updates…", not "0 of 0".
    this.state.set({ pulled, total: 0 });
    try {
      let marker = await saveMarker(local, (stored && (await resumable(stored, remote))) ?? { _id: MARKER_ID, seq: 0, done: false });
      // Started again from the start: what it stored before comes again, and would count twice.
      if (marker.seq === 0) pulled = 0;
      // The user's documents only: the server's design documents come along, but counting them
      // made an empty database read "0 of 5".
      const total = await storedDocCount(remote);
      this.state.set({ pulled: Math.min(pulled, total), total });
      const seq = await initialPull(local, remote, {
        batchSize: INITIAL_PULL_BATCH_SIZE,
        since: marker.seq,
        signal,
        onBatch: async (batch) => {
          this.ledger.pulled(batch.docs);
          pulled += batch.docs.filter((doc) => !(doc as { _deleted?: boolean })._deleted && !doc._id.startsWith('_design/')).length;
          this.state.set({ pulled: Math.min(pulled, total), total });
          marker = await saveMarker(local, { ...marker, seq: batch.seq });
        },
      });
      await this.replicator.handOver(local, remote, seq, signal);
      await saveMarker(local, { ...marker, seq, done: true });
    } finally {
      this.state.set(null);
    }
  }
}

/**
 * The marker to go on from, or null to start again: a server database recreated, or restored from
 * an older backup, since the pull was cut has a sequence behind the marker's, and reading on from
 * there skipped everything it holds (the pull ended at once and said "up to date").
 */
async function resumable(marker: Marker, remote: Database): Promise<Marker | null> {
  const { update_seq } = await remote.info();
  return seqNumber(marker.seq) > seqNumber(update_seq) ? { ...marker, seq: 0 } : marker;
}

/** A sequence's count: PouchDB Server's is a number, CouchDB's starts with one (`"1234-g1AAAA…"`). */
function seqNumber(seq: number | string): number {
  return typeof seq === 'number' ? seq : parseInt(seq, 10) || 0;
}

/** Whether this device finished its first pull: before that, what it holds came from the server and the ledger may not know it yet. */
export async function firstPullDone(db: Database): Promise<boolean> {
  const marker = await db.get<Marker>(MARKER_ID).catch(() => null);
  return !!marker?.done;
}

/**
 * Documents stored in `db` (the device's, or the server's), design documents (Mango indexes,
 * validation) and full-size photos (which the first pull leaves on the server) aside.
 */
async function storedDocCount(db: Database): Promise<number> {
  const [{ doc_count }, design, photos] = await Promise.all([
    db.info(),
    db.allDocs({ startkey: '_design/', endkey: '_design/\uffff' }),
    db.allDocs(PHOTO_ID_RANGE),
  ]);
  return doc_count - design.rows.length - photos.rows.length;
}

async function saveMarker(db: Database, marker: Marker): Promise<Marker> {
  const { rev } = await db.put(marker);
  return { ...marker, _rev: rev };
}
