import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  it('starts a task only when the ones queued before it have settled, a failed one too', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let finishFirst!: () => void;
    const first = queue.run(
      () =>
        new Promise<void>((resolve) => {
          log.push('first started');
          finishFirst = () => {
            log.push('first done');
            resolve();
          };
        }),
    );
    const second = queue.run(async () => {
      log.push('second started');
      throw new Error('second failed');
    });
    const third = queue.run(async () => {
      log.push('third started');
      return 3;
    });
    await Promise.resolve();
    expect(log).toEqual(['first started']);
    finishFirst();
    await first;
    await expectAsync(second).toBeRejectedWithError('second failed');
    expect(await third).toBe(3);
    expect(log).toEqual(['first started', 'first done', 'second started', 'third started']);
  });

  it('is idle once every task queued so far has settled', async () => {
    const queue = new SerialQueue();
    let release!: () => void;
    const held = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    let idle = false;
    const waiting = queue.idle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBeFalse();
    release();
    await held;
    await waiting;
    expect(idle).toBeTrue();
  });
});
