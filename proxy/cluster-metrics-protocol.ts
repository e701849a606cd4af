import type { Registry } from 'prom-client';

/** One registry's metrics as `getMetricsAsJSON()` gives them (what `AggregatorRegistry.aggregate` takes). */
export type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * The IPC messages between the node:cluster primary and its workers for metrics. Types are
 * our own, not prom-client's (`prom-client:getMetricsReq`), so prom-client's own cluster
 * listeners, should anything construct an AggregatorRegistry, never answer for us.
 */
export type MetricsMessage =
  /** Primary → worker: send your registry as JSON. */
  | { type: 'fieldbook:metrics-gather'; id: number }
  /** Worker → primary: the answer to a gather. */
  | { type: 'fieldbook:metrics-gathered'; id: number; metrics?: RegistryJson; error?: string }
  /** Worker → primary: the whole group's Prometheus text, please (the public admin route). */
  | { type: 'fieldbook:metrics-ask'; id: number }
  /** Primary → worker: the answer to an ask. */
  | { type: 'fieldbook:metrics-group'; id: number; text?: string; error?: string };

export function isMetricsMessage(message: unknown): message is MetricsMessage {
  const { type, id } = (message ?? {}) as { type?: unknown; id?: unknown };
  return typeof type === 'string' && type.startsWith('fieldbook:metrics-') && typeof id === 'number';
}
