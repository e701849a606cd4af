import type { Registry } from 'prom-client';

/**
 * What a `/metrics` answer shows: this process's own registry, or in a node:cluster worker
 * the whole process group's, asked of the primary (cluster-metrics-worker.ts).
 */
export interface MetricsSource {
  readonly contentType: string;
  /** Prometheus text; rejects when it cannot be had in time (the caller answers 503). */
  render(): Promise<string>;
}

export const registrySource = (registry: Registry): MetricsSource => ({
  contentType: registry.contentType,
  render: () => registry.metrics(),
});
