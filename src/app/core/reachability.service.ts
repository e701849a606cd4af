import { DestroyRef, Injectable, InjectionToken, inject } from '@angular/core';
import { BehaviorSubject, distinctUntilChanged, Observable } from 'rxjs';

/** Asks the proxy whether CouchDB answers, until `giveUp` aborts; tests replace it to simulate outages. */
export const HEALTH_CHECK = new InjectionToken<(giveUp: AbortSignal) => Promise<boolean>>('HEALTH_CHECK', {
  factory: () => checkHealth,
});

const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 30_000;
const WHILE_UP_MS = 60_000;
/**
 * The proxy answers /health within its 3 s probe of CouchDB: a request still unanswered after
 * this went into a dead network, and would otherwise hold up every later check. Generous, as
 * a first pull may fill a slow link meanwhile.
 */
const HEALTH_ANSWER_MS = 30_000;

/**
 * Whether the server can be reached. `navigator.onLine` only says a network interface is
 * up (captive portals, dead Wi-Fi and a down CouchDB all look "online"), so the answer
 * comes from `/health` and from the replication's own successes and failures; the
 * browser's online/offline events only make us re-check sooner.
 */
@Injectable({ providedIn: 'root' })
export class ReachabilityService {
  private readonly checkHealth = inject(HEALTH_CHECK);
  private readonly state = new BehaviorSubject<boolean>(navigator.onLine);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private retryMs = FIRST_RETRY_MS;

  readonly reachable$: Observable<boolean> = this.state.pipe(distinctUntilChanged());

  constructor() {
    const onOnline = () => void this.check();
    const onOffline = () => this.report(false);
    window.addEventListener('online', onOnline);
    window.addEventListener('offline', onOffline);
    inject(DestroyRef).onDestroy(() => {
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      clearTimeout(this.timer);
    });
  }

  get reachable(): boolean {
    return this.state.value;
  }

  /** Probes `/health` now and schedules the next probe. */
  async check(): Promise<boolean> {
    this.report(navigator.onLine && (await this.healthWithin(HEALTH_ANSWER_MS)));
    return this.state.value;
  }

  /** The health check's answer, or false once it has not come for `ms`. */
  private healthWithin(ms: number): Promise<boolean> {
    const giveUp = new AbortController();
    const timer = setTimeout(() => giveUp.abort(), ms);
    const gaveUp = new Promise<boolean>((resolve) => giveUp.signal.addEventListener('abort', () => resolve(false)));
    return Promise.race([this.checkHealth(giveUp.signal), gaveUp]).finally(() => clearTimeout(timer));
  }

  /**
   * Records what a request just found out, e.g. a replication that failed to connect. A
   * success does not outweigh the browser saying it has no network: `onLine` is unreliable
   * only when true, and a request answered just before the network dropped is old news.
   */
  report(up: boolean): void {
    up &&= navigator.onLine;
    if (up) this.retryMs = FIRST_RETRY_MS;
    this.state.next(up);
    this.schedule(up ? WHILE_UP_MS : this.nextRetry());
  }

  private nextRetry(): number {
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    return delay;
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), ms);
  }
}

async function checkHealth(giveUp: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch('/health', { cache: 'no-store', credentials: 'same-origin', signal: giveUp });
    return response.ok;
  } catch {
    return false;
  }
}
