/*
 * Loaded into the proxy process by bench/live-feeds.ts only (node --expose-gc --require):
 * on SIGUSR2 it collects all garbage and writes what the heap still holds to fd 3, so the
 * benchmark can tell memory the proxy keeps after feeds close (a leak) from garbage V8 has
 * not collected yet.
 */
const { writeSync } = require('node:fs');

process.on('SIGUSR2', () => {
  global.gc();
  const { heapUsed, rss } = process.memoryUsage();
  writeSync(3, `${JSON.stringify({ heapUsedMb: Math.round(heapUsed / 2 ** 20), rssMb: Math.round(rss / 2 ** 20) })}\n`);
});
