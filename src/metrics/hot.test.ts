import assert from 'node:assert/strict';
import { test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { HotCounter, HotHistogram } from './hot.ts';
import { createRegistry } from './registry.ts';

test('a hot counter exports the values added to its series since the start', async () => {
  const registry = createRegistry({ processMetrics: false });
  const requests = new HotCounter({
    name: 'x_requests_total',
    help: 'h',
    labelNames: ['route'],
  });
  requests.register(registry);
  const a = requests.series({ route: 'a' });
  a.value += 2;
  requests.series({ route: 'a' }).value++;
  requests.series({ route: 'b' });
  const text = await registry.metrics();
  assert.match(text, /^# TYPE x_requests_total counter$/m);
  assert.match(text, /^x_requests_total\{route="a"\} 3$/m);
  assert.doesNotMatch(text, /route="b"/, 'a series nothing was added to is left out');
  a.value++;
  assert.match(await registry.metrics(), /^x_requests_total\{route="a"\} 4$/m, 'scrapes do not reset');
});

test('a hot histogram is exported in the text format: cumulative buckets, +Inf, sum and count', async () => {
  const registry = createRegistry({ processMetrics: false });
  const latency = new HotHistogram({
    name: 'x_seconds',
    help: 'h',
    labelNames: ['route'],
    buckets: [0.1, 1],
  });
  latency.register(registry);
  const a = latency.series({ route: 'a' });
  for (const v of [0.05, 0.1, 0.5, 3]) a.observe(v);
  const text = await registry.metrics();
  const family = parsePrometheusTextFormat(text).find((f) => f.name === 'x_seconds');
  assert.equal(family?.type, 'HISTOGRAM');
  assert.match(text, /^x_seconds_bucket\{route="a",le="0.1"\} 2$/m);
  assert.match(text, /^x_seconds_bucket\{route="a",le="1"\} 3$/m);
  assert.match(text, /^x_seconds_bucket\{route="a",le="\+Inf"\} 4$/m);
  assert.match(text, /^x_seconds_sum\{route="a"\} 3.65$/m);
  assert.match(text, /^x_seconds_count\{route="a"\} 4$/m);
});
