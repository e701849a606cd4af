import { DestroyRef, Injectable, inject } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { BehaviorSubject, Subscription, pairwise, startWith } from 'rxjs';
import { InitialPullService } from './initial-pull.service';
import { Database } from './pouchdb';
import { ReachabilityService } from './reachability.service';
import { REMOTE_DB_FACTORY } from './remote-db';
import { Replication, ReplicatorService } from './replicator.service';
import { FEED_HEARTBEAT_MS } from './silent-feed-fetch';
import { UNREACHABLE_MESSAGE, syncErrorMessage } from './sync-error-message';
import { SyncState, SyncStatus } from './sync-state';

type DirectionState = 'starting' | 'active' | 'paused' | 'retrying' | 'failed';
type Direction = 'push' | 'pull';

const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 60_000;

/** PouchDB's retry delay: doubles from 1 s, capped at a minute so a tablet back in range resumes soon. */
export function cappedBackoff(previousMs: number): number {
  return previousMs ? Math.min(previousMs * 2, MAX_BACKOFF_MS) : FIRST_BACKOFF_MS;
}

interface ReplicationError {
  status?: number;
  name?: string;
  message?: string;
  reason?: string;
}

/**
 * The live two-way sync between the local database and the user's server database.
 *
 * Push and pull run as two replications so each reports its own progress and errors
 * (PouchDB's combined `sync` drops the error of a paused direction). They retry on their
 * own with a capped backoff; a 401 stops them until the user logs in again. A device that
 * has never finished a first pull does that first (InitialPullService), as part of the pull.
 * The replications themselves come from ReplicatorService.
 */
@Injectable({ providedIn: 'root' })
export class ReplicationService {
  private readonly reachability = inject(ReachabilityService);
  private readonly replicator = inject(ReplicatorService);
  private readonly remoteFactory = inject(REMOTE_DB_FACTORY);
  private readonly firstPull = inject(InitialPullService);

  private readonly status = new BehaviorSubject<SyncStatus>({
    state: 'offline',
    sessionExpired: false,
    lastError: null,
    lastSyncedAt: null,
  });
  private target: { local: Database; userDb: string } | null = null;
  private running: Record<Direction, Replication> | null = null;
  /**
   * Ends the current attempt: its first pull, and every request it still waits for (one sent
   * as the network went may never be answered; PouchDB sets no timeout of its own).
   */
  private attempt: AbortController | null = null;
  private directions: Record<Direction, DirectionState> = { push: 'starting', pull: 'starting' };
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private restartDelay = 0;
  private readonly reachabilitySub: Subscription;

  readonly status$ = this.status.asObservable();
  readonly syncStatus = toSignal(this.status$, { requireSync: true });

  constructor() {
    this.reachabilitySub = this.reachability.reachable$.pipe(startWith(this.reachability.reachable), pairwise()).subscribe(([was, is]) => {
      const backInRange = is && !was;
      // "Cannot be reached" is old news then, also while the sync starts again.
      if (backInRange && this.status.value.lastError === UNREACHABLE_MESSAGE) this.patch({ lastError: null });
      // Back in range: skip whatever backoff PouchDB or we are sitting in.
      if (backInRange && this.needsRestart()) {
        this.restartDelay = 0;
        this.restart();
      } else this.publish();
    });
    inject(DestroyRef).onDestroy(() => {
      this.reachabilitySub.unsubscribe();
      this.stop();
    });
  }

  /** Starts syncing `local` with the server database `userDb`. */
  start(local: Database, userDb: string): void {
    this.stop();
    this.target = { local, userDb };
    this.patch({ sessionExpired: false, lastError: null });
    this.launch();
    void this.reachability.check();
  }

  /** Stops syncing (logout, or switching users). */
  stop(): void {
    this.cancelRunning();
    this.target = null;
    this.restartDelay = 0;
    this.patch({ state: 'offline', sessionExpired: false });
  }

  /** After a new login: the cookie is fresh again, so pick up where sync stopped. */
  resume(): void {
    if (!this.target) return;
    this.patch({ sessionExpired: false, lastError: null });
    this.restart();
  }

  private restart(): void {
    this.cancelRunning();
    this.launch();
  }

  private launch(): void {
    const target = this.target;
    if (!target) return;
    const { signal } = (this.attempt = new AbortController());
    const remote = this.remoteFactory(target.userDb, signal);
    this.directions = { push: 'starting', pull: 'starting' };
    this.publish();
    // The push waits too: the first pull's documents would all pass through its revs_diff.
    const started = () => !signal.aborted && this.setDirection('pull', 'active');
    this.firstPull.ensure(target.local, remote, signal, started).then(
      () => !signal.aborted && this.startLive(target.local, remote),
      (error: ReplicationError) => !signal.aborted && this.fail('pull', error, true),
    );
  }

  private startLive(local: Database, remote: Database): void {
    // Heartbeats let the remote's fetch tell a quiet feed from a dead one (silent-feed-fetch.ts).
    const options = { heartbeat: FEED_HEARTBEAT_MS, back_off_function: cappedBackoff };
    this.directions = { push: 'starting', pull: 'starting' };
    this.running = {
      push: this.watch('push', this.replicator.livePush(local, remote, options)),
      pull: this.watch('pull', this.replicator.livePull(local, remote, options)),
    };
    this.publish();
  }

  private watch(direction: Direction, replication: Replication): Replication {
    const current = () => this.running?.[direction] === replication;
    replication
      .on('active', () => current() && this.setDirection(direction, 'active'))
      .on('paused', (error) => {
        if (!current()) return;
        if (error) this.fail(direction, error as ReplicationError, false);
        else this.caughtUp(direction);
      })
      .on('error', (error) => current() && this.fail(direction, error as ReplicationError, true));
    return replication;
  }

  private caughtUp(direction: Direction): void {
    this.restartDelay = 0;
    this.directions[direction] = 'paused';
    this.reachability.report(true);
    const both = this.directions.push === 'paused' && this.directions.pull === 'paused';
    this.patch(both ? { lastError: null, lastSyncedAt: new Date().toISOString() } : {});
  }

  private fail(direction: Direction, error: ReplicationError, fatal: boolean): void {
    if (error.status === 401) {
      this.cancelRunning();
      this.patch({ sessionExpired: true, lastError: syncErrorMessage(error) });
      return;
    }
    const message = syncErrorMessage(error);
    if (!error.status || error.status >= 502) {
      // No answer from CouchDB (no network, a gateway error, or the service worker's 504
      // for a failed fetch): let /health decide between offline and a flaky request.
      this.directions[direction] = 'retrying';
      void this.reachability.check();
    } else {
      this.directions[direction] = 'failed';
    }
    this.patch({ lastError: message });
    if (fatal) this.scheduleRestart();
  }

  // PouchDB gives up on some errors even with `retry: true`; retry those ourselves.
  private scheduleRestart(): void {
    this.restartDelay = cappedBackoff(this.restartDelay);
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => this.restart(), this.restartDelay);
  }

  private needsRestart(): boolean {
    // All but a caught-up direction (its live feed has a silence cutoff): an attempt begun while
    // out of range fails later, and its restart would wait out a backoff although the network
    // is back; a request sent as the network went may never be answered.
    const stuck = (state: DirectionState) => state !== 'paused';
    return !!this.target && !this.status.value.sessionExpired && (stuck(this.directions.push) || stuck(this.directions.pull));
  }

  /** Ends the current attempt, and the restart one of its failures scheduled. */
  private cancelRunning(): void {
    clearTimeout(this.restartTimer);
    const { attempt, running } = this;
    this.attempt = null;
    this.running = null;
    running?.push.cancel();
    running?.pull.cancel();
    attempt?.abort();
  }

  private setDirection(direction: Direction, state: DirectionState): void {
    this.directions[direction] = state;
    this.publish();
  }

  private publish(): void {
    this.patch({});
  }

  private patch(changes: Partial<SyncStatus>): void {
    const next = { ...this.status.value, ...changes };
    next.state = this.combinedState(next.sessionExpired);
    this.status.next(next);
  }

  private combinedState(sessionExpired: boolean): SyncState {
    if (!this.target) return 'offline';
    if (sessionExpired) return 'error';
    if (!this.reachability.reachable) return 'offline';
    const { push, pull } = this.directions;
    if (push === 'failed' || pull === 'failed') return 'error';
    if (push === 'active' || pull === 'active') return 'syncing';
    if (push === 'paused' && pull === 'paused') return 'paused';
    return 'connecting';
  }
}
