import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Countdown } from './countdown.ts';

/** Waits until `done()` holds, for at most 5 s (no timing is asserted, only the order of things). */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 5000; waited += 10) await sleep(10);
}

test('a countdown fires once per start, never once stopped or disposed, and can be started again', async () => {
  let fired = 0;
  const countdown = new Countdown(() => fired++);
  countdown.start(20);
  await until(() => fired === 1);
  assert.equal(fired, 1);
  // Stopped before it expires: its timer may still run, and finds nothing to do.
  countdown.start(20);
  countdown.stop();
  await sleep(100);
  assert.equal(fired, 1);
  // Started again after a stopped run: the same timer, refreshed.
  countdown.start(20);
  await until(() => fired === 2);
  assert.equal(fired, 2);
  // Another duration: a new timer.
  countdown.start(30);
  await until(() => fired === 3);
  countdown.start(20);
  countdown.dispose();
  await sleep(100);
  assert.equal(fired, 3);
});
