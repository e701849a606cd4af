import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { addressKey } from './client-address';
import { tooManyRequests, type CouchError } from './couch-error';

export interface ThrottleLimits {
  /**
   * Failed logins per name from one client address within `windowS`, then that name waits
   * `blockS` there: a stranger guessing a name locks out only their own address.
   */
  perNameAndAddress: number;
  /**
   * Failed logins per name from all addresses together: bounds a guesser spread over many
   * addresses, then the name waits `blockS` everywhere. Far above `perNameAndAddress`, so no
   * one address reaches it alone.
   */
  perName: number;
  /** Failed logins per client address (a site's tablets may share one) within `windowS`. */
  perAddress: number;
  windowS: number;
  blockS: number;
}

/**
 * Per name and address as CouchDB 3.4's own lockout (`[chttpd_auth_lockout] threshold = 5`,
 * counted per name and client address, which the proxy tells it), so the proxy answers first.
 * Locking the name for everyone takes 20 addresses guessing together.
 */
export const DEFAULT_THROTTLE: ThrottleLimits = { perNameAndAddress: 5, perName: 100, perAddress: 100, windowS: 15 * 60, blockS: 15 * 60 };

/**
 * Failed logins (`/api/session` and HTTP Basic) counted per name and address, per name and per
 * address, in memory per proxy process. Checked before CouchDB hashes a password, so guessing
 * costs CouchDB nothing once throttled; a successful login clears its name's count at its
 * address (not the name's count from everywhere: that bounds guessers whatever the user does).
 * An IPv6 client counts by its /64, which one subscriber usually has whole.
 *
 * A known device (a browser the name logged in from, device-cookie.ts) is not stopped by the
 * name's cap: 20 addresses guessing together locked the user out of every device for `blockS`.
 * It is stopped by its own count instead, `perNameAndAddress` failures wherever they come from
 * (a copied cookie buys that many guesses, not a way round the cap), and by the counts per name
 * and address and per address as anyone. Its failures still count toward the name's cap: the cap
 * bounds every guess at the name, and a device's own mistakes, a few, hardly move it.
 */
export class LoginThrottle {
  private readonly byNameAndAddress: RateLimiterMemory;
  private readonly byName: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;
  private readonly byDevice: RateLimiterMemory;
  /** Checks under way, per limiter and key (begin). */
  private readonly inFlight = new Map<RateLimiterMemory, Map<string, number>>();

  constructor(
    limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly onThrottled: () => void = () => undefined,
  ) {
    const window = { duration: limits.windowS, blockDuration: limits.blockS };
    this.byNameAndAddress = new RateLimiterMemory({ points: limits.perNameAndAddress, ...window });
    this.byName = new RateLimiterMemory({ points: limits.perName, ...window });
    this.byAddress = new RateLimiterMemory({ points: limits.perAddress, ...window });
    this.byDevice = new RateLimiterMemory({ points: limits.perNameAndAddress, ...window });
  }

  /**
   * A login about to be checked with CouchDB: a 429 when this name (here or everywhere, or on this
   * known `device`, the id of a device cookie checked for this name) or this address has failed
   * too often, or while so many checks of it are under way that their failures alone would reach
   * a count; else the attempt, counted as under way until it ends. When failures were counted
   * only as CouchDB answered, 200 wrong passwords sent at once from one address all reached it
   * (600,000 hash rounds each) before the first was counted.
   */
  async begin(name: string, address: string | undefined, device?: string | null): Promise<CouchError | LoginAttempt> {
    const keys = this.checkedKeys(name, address, device);
    const counts = await Promise.all(keys.map(([limiter, key]) => limiter.get(key)));
    // From here to the reservation nothing awaits: checks begun together see one another's.
    const refusal = this.refusal(keys, counts);
    if (refusal) return refusal;
    for (const [limiter, key] of keys) this.count(limiter, key, 1);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      for (const [limiter, key] of keys) this.count(limiter, key, -1);
    };
    return {
      // Counted before it stops being under way: never neither.
      failed: () => this.failed(name, address, device).finally(end),
      succeeded: (loggedIn) => this.succeeded(loggedIn, address).finally(end),
      end,
    };
  }

  private async failed(name: string, address: string | undefined, device?: string | null): Promise<void> {
    const keys = device ? [...this.keys(name, address), this.deviceKey(device)] : this.keys(name, address);
    // consume() rejects once the points are used up: that is the count doing its job.
    await Promise.allSettled(keys.map(([limiter, key]) => limiter.consume(key)));
  }

  private async succeeded(name: string, address: string | undefined): Promise<void> {
    await this.byNameAndAddress.delete(nameAndAddressKey(name, address));
  }

  /** Each key's failures and the checks of it under way against its points. */
  private refusal(keys: [RateLimiterMemory, string][], counts: (RateLimiterRes | null)[]): CouchError | null {
    const waitMs = Math.max(...counts.map(blockedMs));
    const crowded = keys.some(([limiter, key], i) => (counts[i]?.consumedPoints ?? 0) + this.underWay(limiter, key) >= limiter.points);
    if (waitMs === 0 && !crowded) return null;
    this.onThrottled();
    if (waitMs === 0) return tooManyRequests('Too many logins of this name are being checked; try again in a moment.', 1);
    const waitS = Math.ceil(waitMs / 1000);
    return tooManyRequests(`Too many failed logins; try again in ${waitS} seconds.`, waitS);
  }

  /** The counts a login is checked against: the name's cap gives way to a known device's own count. */
  private checkedKeys(name: string, address: string | undefined, device?: string | null): [RateLimiterMemory, string][] {
    const keys = this.keys(name, address);
    return device ? [...keys.filter(([limiter]) => limiter !== this.byName), this.deviceKey(device)] : keys;
  }

  private underWay(limiter: RateLimiterMemory, key: string): number {
    return this.inFlight.get(limiter)?.get(key) ?? 0;
  }

  private count(limiter: RateLimiterMemory, key: string, by: 1 | -1): void {
    const counts = this.inFlight.get(limiter) ?? new Map<string, number>();
    this.inFlight.set(limiter, counts);
    const now = (counts.get(key) ?? 0) + by;
    if (now > 0) counts.set(key, now);
    else counts.delete(key);
  }

  private keys(name: string, address: string | undefined): [RateLimiterMemory, string][] {
    return [
      [this.byNameAndAddress, nameAndAddressKey(name, address)],
      [this.byName, nameKey(name)],
      [this.byAddress, addressKey(address)],
    ];
  }

  private deviceKey(device: string): [RateLimiterMemory, string] {
    return [this.byDevice, device];
  }
}

/** A login being checked with CouchDB (LoginThrottle.begin); each verdict ends it, `end` without one (CouchDB did not answer). */
export interface LoginAttempt {
  failed(): Promise<void>;
  /** `name` as CouchDB names the login. */
  succeeded(name: string): Promise<void>;
  end(): void;
}

function blockedMs(res: RateLimiterRes | null): number {
  return res && res.remainingPoints <= 0 ? Math.max(res.msBeforeNext, 1) : 0;
}

/** Names are the client's to choose: bound the key. */
function nameKey(name: string): string {
  return name.slice(0, 256);
}

function nameAndAddressKey(name: string, address: string | undefined): string {
  return `${addressKey(address)} ${nameKey(name)}`;
}
