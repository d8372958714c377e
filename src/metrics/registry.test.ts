import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, createRegistry } from './registry.ts';
import { scrape } from './scrape.ts';

test('registries keep apart: the same metric name on two of them', async () => {
  const a = createRegistry({ processMetrics: false });
  const b = createRegistry({ processMetrics: false });
  new Counter({ name: 'portico_test_total', help: 'a test', registers: [a] }).inc(2);
  new Counter({ name: 'portico_test_total', help: 'a test', registers: [b] }).inc(5);
  assert.match((await scrape({ registry: async () => a }, undefined)).body, /^portico_test_total 2$/m);
  assert.match((await scrape({ registry: async () => b }, undefined)).body, /^portico_test_total 5$/m);
});

test('process metrics join a registry unless turned off', async () => {
  assert.match(await createRegistry().metrics(), /^process_cpu_user_seconds_total /m);
  assert.doesNotMatch(await createRegistry({ processMetrics: false }).metrics(), /process_cpu/);
});

test('a key makes a scrape ask for Authorization: Bearer <key>', async () => {
  const registry = createRegistry({ processMetrics: false });
  const endpoint = { registry: async () => registry, key: 's3cret' };
  assert.equal((await scrape(endpoint, undefined)).status, 401);
  assert.equal((await scrape(endpoint, 'Bearer wrong')).status, 401);
  assert.equal((await scrape(endpoint, 's3cret')).status, 401);
  const ok = await scrape(endpoint, 'Bearer s3cret');
  assert.equal(ok.status, 200);
  assert.match(ok.headers['content-type']!, /^text\/plain; version=0.0.4/);
});
