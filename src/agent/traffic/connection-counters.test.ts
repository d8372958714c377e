import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionCounters } from './connection-counters.ts';

test('total, open and duration percentiles follow connections as they open and close', () => {
  let now = 0;
  const counters = new ConnectionCounters(() => now);
  assert.deepEqual(counters.stats(), {
    total: 0,
    open: 0,
    rate1m: 0,
    rate5m: 0,
    rate15m: 0,
    p50s: 0,
    p90s: 0,
    p95s: 0,
    p99s: 0,
  });
  const closers = Array.from({ length: 10 }, () => counters.opened());
  assert.equal(counters.stats().open, 10);
  closers.forEach((close, i) => {
    now = (i + 1) * 100;
    close();
    close(); // a second call changes nothing
  });
  const stats = counters.stats();
  assert.equal(stats.total, 10);
  assert.equal(stats.open, 0);
  assert.equal(stats.p50s, 0.5);
  assert.equal(stats.p90s, 0.9);
  assert.equal(stats.p99s, 1);
});

test('record() counts something that already ended, with its duration', () => {
  const counters = new ConnectionCounters(() => 0);
  counters.record(250);
  counters.record(750);
  assert.deepEqual(
    [counters.stats().total, counters.stats().open, counters.stats().p50s, counters.stats().p99s],
    [2, 0, 0.25, 0.75],
  );
});

test('rates are per second, updated every 5 s, and decay when traffic stops', () => {
  let now = 0;
  const counters = new ConnectionCounters(() => now);
  for (let i = 0; i < 50; i++) counters.opened()();
  assert.equal(counters.stats().rate1m, 0, 'nothing before the first tick');
  now = 5_000;
  assert.equal(counters.stats().rate1m, 10);
  assert.equal(counters.stats().rate5m, 10);
  now = 65_000;
  const later = counters.stats();
  assert.ok(
    later.rate1m > 0 && later.rate1m < 10 * Math.exp(-1) + 0.01,
    `1-minute rate decays by e in a minute: ${later.rate1m}`,
  );
  assert.ok(later.rate5m > later.rate1m, 'the 5-minute rate decays slower');
  now = 1e12;
  assert.equal(counters.stats().rate1m, 0);
});
