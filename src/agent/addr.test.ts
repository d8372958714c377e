import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardsToFor, splitHostPort, upstreamTarget } from './addr.ts';
import { parseLabels } from './labels.ts';

test('http forms: port, host:port, URL', () => {
  assert.equal(forwardsToFor(3000, 'http'), 'http://localhost:3000');
  assert.equal(forwardsToFor('3000', 'https'), 'http://localhost:3000');
  assert.equal(forwardsToFor('127.0.0.1:8080', 'http'), 'http://127.0.0.1:8080');
  assert.equal(forwardsToFor(':8080', 'http'), 'http://localhost:8080');
  assert.equal(forwardsToFor('[::1]:8080', 'http'), 'http://[::1]:8080');
  assert.equal(forwardsToFor('example.internal', 'http'), 'http://example.internal:80');
  assert.equal(forwardsToFor('https://localhost:8443', 'http'), 'https://localhost:8443');
  assert.equal(forwardsToFor('http://localhost:3000/base/', 'http'), 'http://localhost:3000/base/');
  assert.equal(forwardsToFor('tcp://localhost:22', 'labeled'), 'tcp://localhost:22');
});

test('tcp/tls forms are host:port', () => {
  assert.equal(forwardsToFor(22, 'tcp'), 'localhost:22');
  assert.equal(forwardsToFor('10.0.0.5:5432', 'tcp'), '10.0.0.5:5432');
  assert.equal(forwardsToFor('tcp://db:5432', 'tcp'), 'db:5432');
  assert.equal(forwardsToFor('[::1]:443', 'tls'), '[::1]:443');
  assert.equal(forwardsToFor('::1', 'http'), 'http://[::1]:80');
});

test('bad addresses are config errors', () => {
  for (const [addr, proto] of [
    ['70000', 'http'],
    ['0', 'tcp'],
    ['host:', 'tcp'],
    ['host:abc', 'http'],
    ['db', 'tcp'],
    ['ftp://x:21', 'http'],
    ['tcp://x', 'tcp'],
    ['http://', 'http'],
    ['a b:1', 'http'],
  ] as const) {
    assert.throws(
      () => forwardsToFor(addr, proto),
      (err: Error & { code?: string }) => err.code === 'ERR_AGENT_CONFIG',
      addr,
    );
  }
});

test('upstream targets', () => {
  assert.deepEqual(upstreamTarget('http://localhost:3000'), { host: 'localhost', port: 3000, tls: false });
  assert.deepEqual(upstreamTarget('http://example.internal'), { host: 'example.internal', port: 80, tls: false });
  assert.deepEqual(upstreamTarget('https://[::1]'), { host: '::1', port: 443, tls: true });
  assert.deepEqual(upstreamTarget('localhost:22'), { host: 'localhost', port: 22, tls: false });
  assert.deepEqual(upstreamTarget('tcp://db:5432'), { host: 'db', port: 5432, tls: false });
  assert.deepEqual(splitHostPort('[::1]', 9), { host: '::1', port: 9 });
});

test('labels parse from name=value pairs; the value may contain =', () => {
  assert.deepEqual(parseLabels(['edge=edghts_1', 'team = core', 'q=a=b']), {
    edge: 'edghts_1',
    team: 'core',
    q: 'a=b',
  });
  assert.deepEqual(parseLabels([]), {});
  for (const bad of ['novalue', '=x', 'k=']) {
    assert.throws(() => parseLabels([bad], '--label'), /--label\[0\]: .* must have the form name=value/);
  }
});
