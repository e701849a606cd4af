/**
 * Resolves once `condition` holds, for specs that hold the clock still (jasmine.clock): it
 * yields to the browser with a message, which the mock clock does not hold back, so IndexedDB's
 * events and the code under test go on while no timer fires.
 */
export async function waitWithoutTimers(condition: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await nextMessage();
  }
}

function nextMessage(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
