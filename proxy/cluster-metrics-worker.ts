import type { Registry } from 'prom-client';
import { isMetricsMessage, type MetricsMessage } from './cluster-metrics-protocol';
import type { MetricsSource } from './metrics-source';

/** A worker's IPC channel to its primary (`process` in a node:cluster worker). */
export interface PrimaryChannel {
  send(message: MetricsMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** The worker's own `process` channel; a send that fails (the primary is gone) is dropped, never thrown. */
export const processChannel = (): PrimaryChannel => ({
  send: (message) => {
    if (process.connected) process.send?.(message, undefined, undefined, () => undefined);
  },
  onMessage: (listener) => void process.on('message', listener),
});

/** In a worker: answers the primary's gathers with this worker's own registry as JSON. */
export function answerGathers(registry: Registry, channel: PrimaryChannel): void {
  channel.onMessage((message) => {
    if (!isMetricsMessage(message) || message.type !== 'fieldbook:metrics-gather') return;
    const { id } = message;
    registry.getMetricsAsJSON().then(
      (metrics) => channel.send({ type: 'fieldbook:metrics-gathered', id, metrics }),
      (error: Error) => channel.send({ type: 'fieldbook:metrics-gathered', id, error: error.message }),
    );
  });
}

/**
 * In a worker: the whole group's metrics, asked of the primary, which gathers every worker
 * (this one too). A scrape reaches whichever worker takes the connection, so answering from
 * our own registry would show a fragment. Rejects after `answerWithinMs` without an answer
 * (the primary is stuck or gone), so the route answers 503 instead of hanging.
 */
export function groupMetricsFromPrimary(channel: PrimaryChannel, answerWithinMs: number, contentType: string): MetricsSource {
  let nextId = 0;
  const waiting = new Map<number, (answer: { text?: string; error?: string }) => void>();
  channel.onMessage((message) => {
    if (isMetricsMessage(message) && message.type === 'fieldbook:metrics-group') waiting.get(message.id)?.(message);
  });
  return {
    contentType,
    render() {
      const id = nextId++;
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => settle({ error: `the primary did not answer within ${answerWithinMs} ms` }), answerWithinMs);
        const settle = ({ text, error }: { text?: string; error?: string }) => {
          clearTimeout(timer);
          waiting.delete(id);
          if (text === undefined) reject(new Error(error ?? 'no metrics'));
          else resolve(text);
        };
        waiting.set(id, settle);
        channel.send({ type: 'fieldbook:metrics-ask', id });
      });
    },
  };
}
