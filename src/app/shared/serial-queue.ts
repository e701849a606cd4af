/**
 * Runs tasks one at a time, each after every task queued before it has settled, whether that
 * one succeeded or failed: for work that reads, decides and writes, which two overlapping runs
 * would each decide from what the other was changing.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Queues `task`; resolves or rejects as it does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
