import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ForwardObserver } from './couch-forward';
import { collectRuntimeMetrics } from './runtime-metrics';

/**
 * The proxy's Prometheus metrics, in a registry of its own (several proxies may share a
 * test process). Label values come from fixed sets, never from paths or names, so the
 * series stay bounded whatever clients send.
 */
export class ProxyMetrics implements ForwardObserver {
  readonly registry = new Registry();
  private readonly openFeeds = new Gauge({
    name: 'fieldbook_proxy_open_feeds',
    help: 'Live _changes feeds open through this process.',
    registers: [this.registry],
  });
  private readonly requests = new Counter({
    name: 'fieldbook_proxy_requests_total',
    help: 'Requests answered, by route and status ("aborted": closed before any answer was sent).',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly upstream = new Histogram({
    name: 'fieldbook_proxy_upstream_seconds',
    help: "Time until CouchDB's status line, by status class (feeds answer at once, then hold).",
    labelNames: ['status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly throttled = new Counter({
    name: 'fieldbook_proxy_throttled_logins_total',
    help: 'Logins refused with 429.',
    registers: [this.registry],
  });

  constructor(sessionsCached: () => number) {
    new Gauge({
      name: 'fieldbook_proxy_sessions_cached',
      help: 'Login sessions cached in this process.',
      registers: [this.registry],
      collect() {
        this.set(sessionsCached());
      },
    });
    collectRuntimeMetrics(this.registry, 'fieldbook_proxy_');
  }

  /**
   * Counts the request once its response closes (routed now: Express rewrites `req.url` under a
   * mount). Closed unanswered (its client gave up), `statusCode` still holds its default of 200:
   * clients giving up on a stalled server counted as successes.
   */
  countRequest(req: IncomingMessage, res: ServerResponse): void {
    const route = routeOf(req.url ?? '');
    res.once('close', () => this.requests.inc({ route, status: res.headersSent ? String(res.statusCode) : 'aborted' }));
  }

  feedOpened(): void {
    this.openFeeds.inc();
  }

  feedClosed(): void {
    this.openFeeds.dec();
  }

  upstreamAnswered(status: number, seconds: number): void {
    this.upstream.observe({ status: `${Math.floor(status / 100)}xx` }, seconds);
  }

  loginThrottled(): void {
    this.throttled.inc();
  }
}

const ROUTES: [RegExp, string][] = [
  [/^\/db\/[^/?]+\/_changes/i, 'db_changes'],
  [/^\/db(?=[/?]|$)/i, 'db'],
  [/^\/api\/session/, 'session'],
  [/^\/api\//, 'api'],
  [/^\/health/, 'health'],
  [/^\/metrics/, 'metrics'],
  [/^\/_utils/, 'fauxton'],
];

function routeOf(url: string): string {
  for (const [pattern, route] of ROUTES) if (pattern.test(url)) return route;
  return 'app';
}
