import { Injectable, inject } from '@angular/core';
import { Database } from './pouchdb';
import { PULL_OPTIONS, PUSH_OPTIONS } from './replication-options';
import { PushLedgerService } from './push-ledger.service';

export type Replication = PouchDB.Replication.Replication<object>;

/** What a live replication needs besides the options that name its checkpoint. */
export interface LiveOptions {
  heartbeat: number;
  back_off_function: (previousMs: number) => number;
}

interface CheckpointEmitter {
  on(event: 'checkpoint', listener: (info: { checkpoint?: number | string }) => void): unknown;
}

/**
 * Creates every PouchDB replication of the app: the live push and pull, and the hand-over
 * from a device's first pull. PouchDB keeps each replication's checkpoint in `_local`
 * documents named after its options; creating them all here from the same PUSH_OPTIONS and
 * PULL_OPTIONS is what makes the hand-over's checkpoints the ones the live replications
 * carry on from. Each replication's reports go to the push ledger.
 */
@Injectable({ providedIn: 'root' })
export class ReplicatorService {
  private readonly ledger = inject(PushLedgerService);

  livePush(local: Database, remote: Database, options: LiveOptions): Replication {
    const push = this.report('push', local, local.replicate.to(remote, { ...PUSH_OPTIONS, ...options, live: true, retry: true }));
    // The ledger stores its copy of the push checkpoint after PouchDB stores the checkpoint: a
    // reload in between leaves revisions the server has counted as pending, and the push, carrying
    // on from its own checkpoint, reports none while nothing new comes. Once it has caught up, ask.
    let asked = false;
    push.on('paused', (error) => {
      if (error || asked || !this.ledger.isAttachedTo(local)) return;
      asked = true;
      this.ledger.confirmWithServer(remote).catch(() => (asked = false));
    });
    return push;
  }

  livePull(local: Database, remote: Database, options: LiveOptions): Replication {
    return this.report('pull', local, local.replicate.from(remote, { ...PULL_OPTIONS, ...options, live: true, retry: true }));
  }

  /**
   * Starts PouchDB's replications where a first pull left things: a replication writes its
   * checkpoint at `since` before anything else, so one-off replications from there make the
   * live ones carry on from there.
   *
   * The pull from the server sequence the first pull got to (bringing what changed
   * meanwhile). The push from the device's current sequence, when no local edit up to it
   * is still unpushed: otherwise its first run would read every pulled document again,
   * only to find the server has them all. Rejects if it failed or `signal` aborted it.
   */
  async handOver(local: Database, remote: Database, serverSeq: number | string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    await untilDone(this.report('pull', local, local.replicate.from(remote, { ...PULL_OPTIONS, since: serverSeq })), signal);
    // Read the sequence first: an edit after it is pushed from it, one before it the ledger has seen.
    const localSeq = Number((await local.info()).update_seq);
    if (await this.ledger.hasUnpushedUpTo(localSeq)) return;
    signal.throwIfAborted();
    await untilDone(this.report('push', local, local.replicate.to(remote, { ...PUSH_OPTIONS, since: localSeq })), signal);
    await this.ledger.pushCheckpoint(localSeq);
  }

  /** Tells the push ledger what `replication` reports: refusals, revisions accepted or sent, push checkpoints. */
  private report(direction: 'push' | 'pull', local: Database, replication: Replication): Replication {
    // A replication of the user before a switch may still report something.
    const current = () => this.ledger.isAttachedTo(local);
    replication
      .on('denied', (error) => {
        const denial = error as { id?: string; rev?: string; reason?: string; message?: string };
        if (direction === 'push' && denial.id && current())
          void this.ledger.rejected(
            denial.id,
            denial.reason || denial.message || $localize`:@@sync.refusedNoReason:refused by the server`,
            denial.rev,
          );
      })
      .on('change', (info) => {
        if (!current()) return;
        const docs = (info as { docs?: { _id: string; _rev?: string }[] }).docs ?? [];
        if (direction === 'push') void this.ledger.pushed(docs);
        else this.ledger.pulled(docs);
      });
    if (direction === 'push') {
      // Not in PouchDB's typings: emitted after each batch's checkpoint is stored.
      (replication as unknown as CheckpointEmitter).on('checkpoint', (info) => {
        if (current() && info.checkpoint !== undefined) void this.ledger.pushCheckpoint(info.checkpoint);
      });
    }
    return replication;
  }
}

/** Waits for a one-off replication, cancelling it on abort; rejects if it failed or was aborted. */
async function untilDone(replication: Replication, signal: AbortSignal): Promise<void> {
  const abort = () => replication.cancel();
  signal.addEventListener('abort', abort);
  try {
    await replication;
  } finally {
    signal.removeEventListener('abort', abort);
  }
  signal.throwIfAborted();
}
