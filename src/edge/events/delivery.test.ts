import assert from 'node:assert/strict';
import test from 'node:test';
import { silentLogger } from '../../log/logger.ts';
import { backoffMs, Delivery, deliveryDefaults, type Sender } from './delivery.ts';
import { newEventJson, type EventJson } from './envelope.ts';

const fast = { ...deliveryDefaults, retryBaseMs: 5, retryMaxMs: 20 };
const events = (n: number) => Array.from({ length: n }, (_, i) => newEventJson('ip_policy_created.v0', { i }));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), 'condition never held');
};

test('a failing batch is retried with backoff until the destination takes it, in order', async () => {
  const got: EventJson[] = [];
  let failures = 3;
  const sender: Sender = {
    async send(batch) {
      if (failures-- > 0) throw new Error('503');
      got.push(...batch);
    },
  };
  const delivery = new Delivery('ed_1', sender, { ...fast, maxBatch: 2 }, silentLogger);
  const sent = events(5);
  delivery.push(sent);
  await until(() => delivery.stats.delivered === 5);
  assert.deepEqual(got, sent);
  assert.equal(delivery.stats.retries, 3);
  assert.equal(delivery.stats.queued, 0);
  assert.equal(delivery.stats.lastError, undefined);
});

test('counts per event: what a sender took before its batch failed for good is delivered; what it discarded is dropped', async () => {
  const parts: Sender = {
    send: async () => Promise.reject(new Error('503')),
    undelivered: (batch) => batch.length - 2,
  };
  const failing = new Delivery('ed_8', parts, { ...fast, maxAttempts: 2, maxBatch: 5 }, silentLogger);
  failing.push(events(5));
  await until(() => failing.stats.queued === 0);
  assert.deepEqual([failing.stats.delivered, failing.stats.dropped], [2, 3]);

  const discarding: Sender = { send: async (batch) => ({ discarded: batch.length - 1 }) };
  const taken = new Delivery('ed_9', discarding, { ...fast, maxBatch: 5 }, silentLogger);
  taken.push(events(4));
  await until(() => taken.stats.queued === 0);
  assert.deepEqual([taken.stats.delivered, taken.stats.dropped], [1, 3]);
});

test('the queue is bounded: past it events are dropped and counted, and push never waits', async () => {
  const sender: Sender = { send: () => new Promise(() => {}) }; // a destination that never answers
  const delivery = new Delivery('ed_2', sender, { ...fast, maxQueue: 10, maxBatch: 4 }, silentLogger);
  delivery.push(events(25));
  assert.equal(delivery.stats.queued, 10);
  assert.equal(delivery.stats.dropped, 15);
  // What stop() hands back is what was not delivered: the batch in flight first, then the rest.
  assert.equal(delivery.stop().length, 10);
});

test('a queue set far above the default moves whole to a new delivery (no spread past the call stack)', () => {
  const sender: Sender = { send: () => new Promise(() => {}) };
  const limits = { ...fast, maxQueue: 300_000, maxBatch: 100 };
  const first = new Delivery('ed_7', sender, limits, silentLogger);
  const many = Array.from({ length: 300_000 }, (_, i) => `{"i":${i}}`);
  first.push(many);
  assert.equal(first.stats.queued, 300_000);
  const second = new Delivery('ed_7', sender, limits, silentLogger);
  second.push(first.stop());
  assert.equal(second.stats.queued, 300_000);
  assert.equal(second.stats.dropped, 0);
  second.stop();
});

test('offer makes the event only when there is room: a full queue drops it unmade, and counts it', () => {
  const sender: Sender = { send: () => new Promise(() => {}) };
  const delivery = new Delivery('ed_5', sender, { ...fast, maxQueue: 3, maxBatch: 2 }, silentLogger);
  let made = 0;
  const make = () => (made++, newEventJson('http_request_complete.v0', {}));
  for (let i = 0; i < 5; i++) delivery.offer(make);
  assert.equal(made, 3, 'events past the bound are never made');
  assert.equal(delivery.stats.queued, 3);
  assert.equal(delivery.stats.dropped, 2);
  const undeliverable = new Delivery('ed_6', undefined, fast, silentLogger);
  undeliverable.offer(make);
  assert.equal(made, 3);
  assert.equal(undeliverable.stats.dropped, 1);
});

test('a batch is dropped after its last attempt, with the error kept', async () => {
  const sender: Sender = { send: async () => Promise.reject(new Error('connection refused')) };
  const delivery = new Delivery('ed_3', sender, { ...fast, maxAttempts: 3 }, silentLogger);
  delivery.push(events(2));
  await until(() => delivery.stats.dropped === 2);
  assert.equal(delivery.stats.retries, 2);
  assert.equal(delivery.stats.lastError, 'connection refused');
});

test('without a sender (a target Portico cannot deliver to) every event counts as dropped', () => {
  const delivery = new Delivery('ed_4', undefined, fast, silentLogger);
  delivery.push(events(3));
  assert.deepEqual(delivery.stats, { queued: 0, delivered: 0, dropped: 3, retries: 0 });
});

test('backoff doubles from the base up to the cap, with jitter between half and all of it', () => {
  const limits = { retryBaseMs: 100, retryMaxMs: 1000 };
  for (const [attempt, full] of [
    [1, 100],
    [2, 200],
    [4, 800],
    [5, 1000],
    [40, 1000],
  ] as const) {
    const ms = backoffMs(attempt, limits);
    assert.ok(ms >= full / 2 && ms <= full, `attempt ${attempt}: ${ms}`);
  }
});
