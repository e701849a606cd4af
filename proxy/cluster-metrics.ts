import type { Worker } from 'node:cluster';
import { AggregatorRegistry, Gauge, Registry, type Aggregator } from 'prom-client';
import { isMetricsMessage, type MetricsMessage, type RegistryJson } from './cluster-metrics-protocol';
import type { MetricsSource } from './metrics-source';

/**
 * How prom-client's aggregate would get a default metric wrong: it sums unless a metric says
 * otherwise, and a per-process limit summed over workers is no limit at all.
 */
const AGGREGATE_AS: Record<string, Aggregator> = { fieldbook_proxy_process_max_fds: 'min' };

/**
 * In the node:cluster primary: the metrics of the whole process group. Each render asks every
 * live worker for its registry over IPC and sums them with prom-client's
 * `AggregatorRegistry.aggregate` (counters, gauges and histogram buckets add up; default
 * metrics use prom-client's aggregators: event-loop lag averaged, version first, start time
 * left out). A worker that does not answer within `answerWithinMs` is left out of that render
 * and counted in `fieldbook_proxy_workers_unanswered`, so a stuck worker never holds a
 * scrape. (prom-client's own `clusterMetrics()` fails the whole scrape after 5 s instead.)
 */
export class GroupMetrics implements MetricsSource {
  /** The primary's own metrics (its hub work's: hub-work.ts), shown beside the workers'. */
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly live = new Gauge({
    name: 'fieldbook_proxy_workers_live',
    help: 'Proxy workers listening and asked for their metrics at this scrape.',
    registers: [this.registry],
  });
  private readonly unanswered = new Gauge({
    name: 'fieldbook_proxy_workers_unanswered',
    help: 'Live workers left out of this scrape: they did not answer in time.',
    registers: [this.registry],
  });
  private inFlight?: Promise<string>;
  private nextId = 0;
  private readonly waiting = new Map<number, { workerId: number; settle(metrics?: RegistryJson): void }>();

  /** `workers`: the workers to ask now (those that listen); `answerWithinMs`: how long a worker may take. */
  constructor(
    private readonly workers: () => Worker[],
    private readonly answerWithinMs: number,
  ) {}

  /** Concurrent scrapes share one gather, so a burst of them costs the workers one answer each. */
  render(): Promise<string> {
    this.inFlight ??= this.gatherAll().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async gatherAll(): Promise<string> {
    const asked = this.workers().filter((worker) => worker.isConnected());
    const answers = await Promise.all(asked.map((worker) => this.gather(worker)));
    const answered = answers.filter((metrics): metrics is RegistryJson => metrics !== undefined);
    this.live.set(asked.length);
    this.unanswered.set(asked.length - answered.length);
    for (const metric of answered.flat()) metric.aggregator = AGGREGATE_AS[metric.name] ?? metric.aggregator;
    return AggregatorRegistry.aggregate([...answered, await this.registry.getMetricsAsJSON()]).metrics();
  }

  /** Feed every worker message here (cluster's 'message' event): gather answers, and workers' asks for the group's text. */
  received(worker: Worker, message: unknown): void {
    if (!isMetricsMessage(message)) return;
    if (message.type === 'fieldbook:metrics-gathered') {
      const waiter = this.waiting.get(message.id);
      if (waiter?.workerId === worker.id) waiter.settle(message.error === undefined ? message.metrics : undefined);
    } else if (message.type === 'fieldbook:metrics-ask') {
      const { id } = message;
      this.render().then(
        (text) => send(worker, { type: 'fieldbook:metrics-group', id, text }),
        (error: Error) => send(worker, { type: 'fieldbook:metrics-group', id, error: error.message }),
      );
    }
  }

  /** One worker's registry, or undefined if it did not answer in time, disconnected or could not be sent to. */
  private gather(worker: Worker): Promise<RegistryJson | undefined> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const settle = (metrics?: RegistryJson) => {
        clearTimeout(timer);
        worker.off('disconnect', gone);
        this.waiting.delete(id);
        resolve(metrics);
      };
      const gone = () => settle();
      const timer = setTimeout(gone, this.answerWithinMs);
      worker.once('disconnect', gone);
      this.waiting.set(id, { workerId: worker.id, settle });
      if (!send(worker, { type: 'fieldbook:metrics-gather', id }, gone)) gone();
    });
  }
}

/** Sends unless the worker is gone; a failed send calls `failed` (or is dropped), never throws. */
function send(worker: Worker, message: MetricsMessage, failed: () => void = () => undefined): boolean {
  if (!worker.isConnected()) return false;
  try {
    worker.send(message, (error) => error && failed());
    return true;
  } catch {
    return false;
  }
}
