import { overloaded, type CouchError } from './couch-error';
import type { BodyPace } from './json-body';

export interface AdmissionLimits {
  /** Live `_changes` feeds open through this process. */
  maxFeeds: number;
  /** Feeds of one user: a runaway client (or 260 tabs) must not take everyone's share. */
  maxFeedsPerUser: number;
  /** Every other request in flight to CouchDB. */
  maxRequests: number;
  /**
   * Those of one user: one client sending 8 bodies a byte every few seconds held every place
   * of a proxy allowed 8, and everyone else was answered 503 for as long as it went on.
   */
  maxRequestsPerUser?: number;
  /**
   * Bytes of the bodies the proxy reads to check (body-rules.ts), held across all requests:
   * uploads that sent 15 MB each and stalled filled a 256 MB heap until the process aborted.
   */
  maxBufferedBodyBytes?: number;
  /**
   * How long a client may send a body slower than `minBodyBytesPerS` (or not at all) before it
   * is answered 408: it holds its place meanwhile.
   */
  bodySilenceMs?: number;
  /** The least a body must bring a second, over each `bodySilenceMs` (json-body.ts, watchBodyPace). */
  minBodyBytesPerS?: number;
}

/**
 * Generous for one process: a tablet holds one or two feeds, a few per open tab. The bodies
 * read are lists of ids or a single document, kilobytes each, and a shared database's
 * `_bulk_docs` (a tablet's own push streams unread); the largest accepted is 16 MB.
 *
 * 64 requests of one user: the app's first pull has at most about 15 in flight (changes pages
 * and `_bulk_get`s read ahead, photos fetched in parallel) and a PouchDB sync 2 to 4; a partner's
 * CouchDB replicator opens up to 20 connections per job (`http_connections`). So a user runs
 * three such jobs at full speed, and it takes 16 users to fill the proxy.
 *
 * 1 KiB a second over 30 s: a 16 MB push over a 1 Mbit/s tablet link (2¼ minutes) brings 120
 * times that, and holding a place with a trickle costs a client 30 KiB every 30 s per place.
 */
export const DEFAULT_LIMITS: Required<AdmissionLimits> = {
  maxFeeds: 10_000,
  maxFeedsPerUser: 32,
  maxRequests: 1_024,
  maxRequestsPerUser: 64,
  maxBufferedBodyBytes: 64 * 1024 * 1024,
  bodySilenceMs: 30_000,
  minBodyBytesPerS: 1024,
};

/** Feeds retry later than requests: they hold their place for minutes once admitted. */
const FEED_RETRY_S = 10;
const REQUEST_RETRY_S = 2;

/**
 * Counts what is open towards CouchDB, feeds apart from everything else, so feeds can
 * never starve reads and writes (they shared one capped socket pool before). Past a limit
 * the proxy answers 503 with Retry-After at once, instead of queueing without bound.
 */
export class Admission {
  private bodyBytes = 0;
  private readonly feeds: Places;
  private readonly requests: Places;
  private readonly limits: Required<AdmissionLimits>;
  readonly bodyPace: BodyPace;

  constructor(limits: AdmissionLimits) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    const { maxFeeds, maxFeedsPerUser, maxRequests, maxRequestsPerUser, bodySilenceMs, minBodyBytesPerS } = this.limits;
    this.feeds = new Places(maxFeeds, maxFeedsPerUser, {
      user: (own) => overloaded(`You have ${own} live feeds open; close some or try again later.`, FEED_RETRY_S),
      all: () => overloaded('The proxy holds as many live feeds as it can; try again shortly.', FEED_RETRY_S),
    });
    this.requests = new Places(maxRequests, maxRequestsPerUser, {
      user: (own) => overloaded(`You have ${own} requests in flight; try again once some have finished.`, REQUEST_RETRY_S),
      all: () => overloaded('The proxy is at capacity; try again shortly.', REQUEST_RETRY_S),
    });
    this.bodyPace = { windowMs: bodySilenceMs, minBytesPerS: minBodyBytesPerS };
  }

  /** A release function to call exactly once when the request ends, or the refusal. */
  admit(kind: 'feed' | 'request', user: string): (() => void) | CouchError {
    return (kind === 'feed' ? this.feeds : this.requests).take(user);
  }

  /** Holds `bytes` more of an admitted request's body in memory, or nothing (false) past the limit. */
  holdBody(bytes: number): boolean {
    if (this.bodyBytes + bytes > this.limits.maxBufferedBodyBytes) return false;
    this.bodyBytes += bytes;
    return true;
  }

  releaseBody(bytes: number): void {
    this.bodyBytes -= bytes;
  }

  get openFeeds(): number {
    return this.feeds.open;
  }

  get openRequests(): number {
    return this.requests.open;
  }
}

/** The places of one kind, in all and per user; a user's own limit is checked first, so they hear it is theirs. */
class Places {
  private count = 0;
  private readonly byUser = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly maxPerUser: number,
    private readonly refusals: { user(own: number): CouchError; all(): CouchError },
  ) {}

  take(user: string): (() => void) | CouchError {
    const own = this.byUser.get(user) ?? 0;
    if (own >= this.maxPerUser) return this.refusals.user(own);
    if (this.count >= this.max) return this.refusals.all();
    this.count++;
    this.byUser.set(user, own + 1);
    return once(() => {
      this.count--;
      const left = this.byUser.get(user)! - 1;
      if (left === 0) this.byUser.delete(user);
      else this.byUser.set(user, left);
    });
  }

  get open(): number {
    return this.count;
  }
}

function once(release: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}
