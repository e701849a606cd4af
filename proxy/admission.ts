import { overloaded, type CouchError } from './couch-error';

export interface AdmissionLimits {
  /** Live `_changes` feeds open through this process. */
  maxFeeds: number;
  /** Feeds of one user: a runaway client (or 260 tabs) must not take everyone's share. */
  maxFeedsPerUser: number;
  /** Every other request in flight to CouchDB. */
  maxRequests: number;
  /**
   * Bytes of the bodies the proxy reads to check (body-rules.ts), held across all requests:
   * uploads that sent 15 MB each and stalled filled a 256 MB heap until the process aborted.
   */
  maxBufferedBodyBytes?: number;
  /** How long a client may send nothing of such a body: it holds its place meanwhile. */
  bodySilenceMs?: number;
}

/**
 * Generous for one process: a tablet holds one or two feeds, a few per open tab. The bodies
 * read are lists of ids, kilobytes each; the largest accepted is 16 MB.
 */
export const DEFAULT_LIMITS: Required<AdmissionLimits> = {
  maxFeeds: 10_000,
  maxFeedsPerUser: 32,
  maxRequests: 1_024,
  maxBufferedBodyBytes: 64 * 1024 * 1024,
  bodySilenceMs: 30_000,
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
  private feeds = 0;
  private requests = 0;
  private bodyBytes = 0;
  private readonly feedsByUser = new Map<string, number>();
  private readonly limits: Required<AdmissionLimits>;

  constructor(limits: AdmissionLimits) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** A release function to call exactly once when the request ends, or the refusal. */
  admit(kind: 'feed' | 'request', user: string): (() => void) | CouchError {
    if (kind === 'request') {
      if (this.requests >= this.limits.maxRequests) return overloaded('The proxy is at capacity; try again shortly.', REQUEST_RETRY_S);
      this.requests++;
      return once(() => this.requests--);
    }
    const own = this.feedsByUser.get(user) ?? 0;
    if (own >= this.limits.maxFeedsPerUser)
      return overloaded(`You have ${own} live feeds open; close some or try again later.`, FEED_RETRY_S);
    if (this.feeds >= this.limits.maxFeeds)
      return overloaded('The proxy holds as many live feeds as it can; try again shortly.', FEED_RETRY_S);
    this.feeds++;
    this.feedsByUser.set(user, own + 1);
    return once(() => {
      this.feeds--;
      const left = this.feedsByUser.get(user)! - 1;
      if (left === 0) this.feedsByUser.delete(user);
      else this.feedsByUser.set(user, left);
    });
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

  get bodySilenceMs(): number {
    return this.limits.bodySilenceMs;
  }

  get openFeeds(): number {
    return this.feeds;
  }

  get openRequests(): number {
    return this.requests;
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
