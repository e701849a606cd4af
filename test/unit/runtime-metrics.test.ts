import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { collectRuntimeMetrics } from '../../proxy/runtime-metrics';
import { scrapedValue } from '../support/metric-value';

const registry = new Registry();
collectRuntimeMetrics(registry, 'test_');
const scrape = () => registry.metrics();

test('the runtime metrics keep memory, event-loop delay and GC, and leave out the series that list every handle', async () => {
  const text = await scrape();
  for (const series of ['test_process_resident_memory_bytes', 'test_nodejs_eventloop_lag_p99_seconds', 'test_process_max_fds']) {
    assert.ok(scrapedValue(text, series) !== undefined, `${series} is missing`);
  }
  assert.match(text, /^# TYPE test_nodejs_gc_duration_seconds histogram$/m);
  assert.doesNotMatch(text, /^test_nodejs_active_(handles|resources)/m);
});

test('the open descriptors are counted', { skip: process.platform !== 'linux' && 'Linux only' }, async () => {
  // Within a few: the test runner and tsx open and close files of their own meanwhile.
  const near = (actual: number, expected: number, what: string) =>
    assert.ok(Math.abs(actual - expected) <= 5, `${what}: ${actual}, not ${expected}`);
  const count = async () => scrapedValue(await scrape(), 'test_process_open_fds')!;
  const before = await count();
  assert.ok(before > 0);
  const opened = Array.from({ length: 200 }, () => openSync('/dev/null', 'r'));
  try {
    near(await count(), before + 200, 'with 200 more open');
  } finally {
    opened.forEach((fd) => closeSync(fd));
  }
  near(await count(), before, 'once they are closed');
});
