import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CircuitBreakerPlan } from '../../../config/modules/plans.ts';
import { CircuitBreaker } from './breaker.ts';

const plan: CircuitBreakerPlan = {
  name: 'circuit_breaker',
  trippedDurationMs: 1000,
  rollingWindowMs: 1000,
  numBuckets: 10,
  volumeThreshold: 4,
  errorThreshold: 0.5,
};

function breakerAt(): { breaker: CircuitBreaker; clock: { ms: number } } {
  const clock = { ms: 10_000 };
  return { breaker: new CircuitBreaker(plan, () => clock.ms), clock };
}

function serve(breaker: CircuitBreaker, failed: boolean): string {
  const admission = breaker.admit();
  if (admission !== 'refuse') breaker.record(failed, admission === 'probe');
  return admission;
}

test('opens once the window holds the volume threshold and failures exceed the share', () => {
  const { breaker } = breakerAt();
  for (const failed of [true, true, false]) assert.equal(serve(breaker, failed), 'pass');
  // 4 requests, 2 failures: 50 % does not exceed 0.5.
  assert.equal(serve(breaker, false), 'pass');
  assert.equal(serve(breaker, true), 'pass'); // 3 of 5
  assert.equal(breaker.admit(), 'refuse');
  assert.equal(breaker.tripped, true);
});

test('outcomes older than the rolling window are forgotten', () => {
  const { breaker, clock } = breakerAt();
  for (let i = 0; i < 3; i++) serve(breaker, true);
  clock.ms += 1000;
  serve(breaker, true);
  assert.equal(breaker.admit(), 'pass', 'one failure in the window is under the volume threshold');
});

test('half open after the tripped duration: one probe; success closes, failure reopens', () => {
  const { breaker, clock } = breakerAt();
  for (let i = 0; i < 4; i++) serve(breaker, true);
  assert.equal(breaker.admit(), 'refuse');
  clock.ms += 1000;
  assert.equal(breaker.tripped, false);
  assert.equal(breaker.admit(), 'probe');
  assert.equal(breaker.admit(), 'refuse', 'one probe at a time');
  breaker.record(true, true);
  assert.equal(breaker.admit(), 'refuse', 'the failed probe reopens the circuit');
  clock.ms += 1000;
  assert.equal(serve(breaker, false), 'probe');
  assert.equal(breaker.admit(), 'pass');
  // Closed with an empty window: three more failures are under the volume threshold.
  for (let i = 0; i < 3; i++) serve(breaker, true);
  assert.equal(breaker.admit(), 'pass');
});

test('openings and closings are told to the transitions (the edge counts them)', () => {
  const clock = { ms: 10_000 };
  const seen: string[] = [];
  const breaker = new CircuitBreaker(plan, () => clock.ms, {
    opened: () => seen.push('opened'),
    closed: () => seen.push('closed'),
  });
  for (let i = 0; i < 4; i++) serve(breaker, true);
  clock.ms += 1000;
  serve(breaker, true); // the probe fails: open again
  clock.ms += 1000;
  serve(breaker, false); // the probe succeeds: closed
  assert.deepEqual(seen, ['opened', 'opened', 'closed']);
});
