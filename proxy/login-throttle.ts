import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { tooManyRequests, type CouchError } from './couch-error';

export interface ThrottleLimits {
  /** Failed logins per name within `windowS`, then that name waits `blockS`. */
  perName: number;
  /** Failed logins per client address (a site's tablets may share one) within `windowS`. */
  perAddress: number;
  windowS: number;
  blockS: number;
}

/** Per name as CouchDB 3.4's own lockout (`[chttpd_auth_lockout] threshold = 5`), so the proxy answers first. */
export const DEFAULT_THROTTLE: ThrottleLimits = { perName: 5, perAddress: 100, windowS: 15 * 60, blockS: 15 * 60 };

/**
 * Failed logins (`/api/session` and HTTP Basic) counted per name and per address, in
 * memory per proxy process. Checked before CouchDB hashes a password, so guessing costs
 * CouchDB nothing once throttled; a successful login clears its name's count.
 */
export class LoginThrottle {
  private readonly byName: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;

  constructor(
    limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly onThrottled: () => void = () => undefined,
  ) {
    const window = { duration: limits.windowS, blockDuration: limits.blockS };
    this.byName = new RateLimiterMemory({ points: limits.perName, ...window });
    this.byAddress = new RateLimiterMemory({ points: limits.perAddress, ...window });
  }

  /** A 429 to answer when this name or address has failed too often, else null. */
  async check(name: string, address: string | undefined): Promise<CouchError | null> {
    const [forName, forAddress] = await Promise.all([this.byName.get(keyOf(name)), this.byAddress.get(address ?? '')]);
    const waitMs = Math.max(blockedMs(forName), blockedMs(forAddress));
    if (waitMs === 0) return null;
    this.onThrottled();
    const waitS = Math.ceil(waitMs / 1000);
    return tooManyRequests(`Too many failed logins; try again in ${waitS} seconds.`, waitS);
  }

  async failed(name: string, address: string | undefined): Promise<void> {
    // consume() rejects once the points are used up: that is the count doing its job.
    await Promise.allSettled([this.byName.consume(keyOf(name)), this.byAddress.consume(address ?? '')]);
  }

  async succeeded(name: string): Promise<void> {
    await this.byName.delete(keyOf(name));
  }
}

function blockedMs(res: RateLimiterRes | null): number {
  return res && res.remainingPoints <= 0 ? Math.max(res.msBeforeNext, 1) : 0;
}

/** Names are the client's to choose: bound the key. */
function keyOf(name: string): string {
  return name.slice(0, 256);
}
