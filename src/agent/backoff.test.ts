import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffCeiling, backoffDelay } from './backoff.ts';
import { Reconnector } from './reconnect.ts';

test('backoff windows double from 500 ms and stop at the 30 s cap', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7].map((n) => backoffCeiling(n)),
    [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000],
  );
  assert.equal(backoffCeiling(10_000), 30_000);
  assert.equal(backoffCeiling(-3), 500);
  assert.equal(backoffCeiling(2, { baseMs: 10, capMs: 25 }), 25);
});

test('backoff delays are full jitter: anywhere in [0, ceiling)', () => {
  assert.equal(backoffDelay(3, { random: () => 0 }), 0);
  assert.equal(backoffDelay(3, { random: () => 0.5 }), 2000);
  assert.equal(backoffDelay(3, { random: () => 0.999999 }), 3999);
  const samples = Array.from({ length: 2000 }, () => backoffDelay(20));
  assert.ok(samples.every((d) => Number.isInteger(d) && d >= 0 && d < 30_000));
  // Jitter actually spreads: both halves of the window are used.
  assert.ok(samples.some((d) => d < 15_000) && samples.some((d) => d >= 15_000));
});

test('the reconnector retries with growing windows and resets after a stable connection', async () => {
  let clock = 0;
  const scheduled: Array<[number, number]> = [];
  let failures = 2;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const r = new Reconnector({
    backoff: { baseMs: 1, capMs: 4, random: () => 0.99 },
    stableAfterMs: 100,
    now: () => clock,
    onSchedule: (attempt, delay) => scheduled.push([attempt, delay]),
    attempt: async () => {
      if (failures-- > 0) throw new Error('edge down');
      r.connected();
      resolveDone();
    },
  });
  r.connected();
  clock = 50; // dropped before it was stable: the attempt counter grows
  r.dropped();
  await done;
  assert.deepEqual(scheduled, [
    [1, 1],
    [2, 3],
    [3, 3],
  ]);
  clock = 1000; // this connection was stable: back to attempt 0, and GOAWAY means no wait
  scheduled.length = 0;
  failures = 0;
  r.dropped(true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(scheduled, [[0, 0]]);
  r.cancel();
});

test('a cancelled reconnector schedules nothing', async () => {
  let attempts = 0;
  const r = new Reconnector({ backoff: { baseMs: 1, capMs: 1 }, attempt: async () => void attempts++ });
  r.dropped();
  r.cancel();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(attempts, 0);
});
