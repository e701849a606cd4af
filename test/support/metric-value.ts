import type { Registry } from 'prom-client';

/** A metric's first value in a registry (a proxy's, or one a test gave it); 0 before it has one. */
export async function metricValue(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  return Number((await metric.get()).values[0]?.value ?? 0);
}

/** One series' value in scraped Prometheus text (`name` or `name{label="value"}`); undefined when the text has none. */
export function scrapedValue(text: string, series: string): number | undefined {
  const match = new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}
