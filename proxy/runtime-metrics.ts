import { readdir } from 'node:fs/promises';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/**
 * prom-client's default metrics that list every handle or resource of the process on each
 * scrape, on the event loop, each twice. `fieldbook_proxy_open_feeds` says what they would.
 */
const LISTED_PER_SCRAPE = [
  'nodejs_active_handles',
  'nodejs_active_handles_total',
  'nodejs_active_resources',
  'nodejs_active_resources_total',
];

/**
 * The Node runtime's metrics (memory, CPU, event-loop delay, GC, descriptors) under `prefix`, at
 * a cost on the event loop that does not grow with the open sockets. The open descriptors are
 * counted off it: prom-client's own count reads `/proc/self/fd` synchronously. With 10,000
 * sockets (5,000 feeds) prom-client's defaults held the loop 25 ms per scrape in a quiet process
 * and 90–130 ms in the proxy under the live-feeds benchmark (CPU profile); these 5 and 10–22 ms.
 */
export function collectRuntimeMetrics(registry: Registry, prefix: string): void {
  collectDefaultMetrics({ register: registry, prefix });
  for (const name of [...LISTED_PER_SCRAPE, 'process_open_fds']) registry.removeSingleMetric(prefix + name);
  if (process.platform !== 'linux') return;
  new Gauge({
    name: `${prefix}process_open_fds`,
    help: 'Number of open file descriptors.',
    registers: [registry],
    async collect() {
      // Less the one the listing itself holds open. Unreadable (a sandbox): the last count
      // stays, as with prom-client's own, rather than the scrape failing.
      const fds = await readdir('/proc/self/fd').catch(() => null);
      if (fds) this.set(fds.length - 1);
    },
  });
}
