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
  assert.equal(forwardsToFor('http://localhost:3000/', 'http'), 'http://localhost:3000');
  assert.equal(forwardsToFor('tcp://localhost:22', 'labeled'), 'tcp://localhost:22');
});

test('tcp/tls forms are host:port', () => {
  assert.equal(forwardsToFor(22, 'tcp'), 'localhost:22');
  assert.equal(forwardsToFor('10.0.0.5:5432', 'tcp'), '10.0.0.5:5432');
  assert.equal(forwardsToFor('tcp://db:5432', 'tcp'), 'db:5432');
  assert.equal(forwardsToFor('[::1]:443', 'tls'), '[::1]:443');
  assert.equal(forwardsToFor('tls://127.0.0.1:8443', 'tls'), '127.0.0.1:8443');
  assert.equal(forwardsToFor('tcp://db:443', 'tls'), 'db:443');
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

test('an addr URL with what the agent would not send (path, query, fragment, credentials) or the wrong scheme is refused', () => {
  const cases: Array<[string, 'http' | 'tcp' | 'tls' | 'labeled', RegExp]> = [
    ['http://localhost:3000/api', 'http', /^addr: http:\/\/localhost:3000\/api: the upstream URL may not have a path$/],
    ['http://localhost:3000/base/', 'labeled', /may not have a path/],
    ['http://localhost:3000?x=1', 'http', /may not have a query/],
    ['http://localhost:3000/?', 'http', /may not have a query/],
    ['https://localhost:3000#top', 'http', /may not have a fragment/],
    ['http://user:pw@localhost:40047/api?x=1', 'http', /^addr: http:\/\/…@localhost:40047: a user name or password/],
    ['http://localhost:80', 'tcp', /the upstream URL of a tcp tunnel must be tcp:\/\//],
    ['https://localhost:443', 'tls', /the upstream URL of a tls tunnel must be tcp:\/\/, tls:\/\//],
    ['tls://localhost:443', 'tcp', /must be tcp:\/\//],
    ['tcp://localhost:22/x', 'tcp', /may not have a path/],
    ['tls://localhost:22', 'http', /must be http:\/\/, https:\/\//],
  ];
  for (const [addr, proto, pattern] of cases) {
    assert.throws(
      () => forwardsToFor(addr, proto),
      (err: Error & { code?: string; detail?: string }) => {
        assert.equal(err.code, 'ERR_AGENT_CONFIG');
        assert.doesNotMatch(err.message, /pw/, 'credentials are not echoed');
        const detail = /\((.*)\)$/.exec(err.message)?.[1] ?? err.message;
        assert.match(detail, pattern);
        return true;
      },
      addr,
    );
  }
  assert.throws(() => forwardsToFor('http://x:1/p', 'http', 'tunnels.web.addr'), /\(tunnels\.web\.addr: /);
});

test('upstream targets', () => {
  assert.deepEqual(upstreamTarget('http://localhost:3000'), { host: 'localhost', port: 3000, tls: false });
  assert.deepEqual(upstreamTarget('http://example.internal'), { host: 'example.internal', port: 80, tls: false });
  assert.deepEqual(upstreamTarget('https://[::1]'), { host: '::1', port: 443, tls: true });
  assert.deepEqual(upstreamTarget('localhost:22'), { host: 'localhost', port: 22, tls: false });
  assert.deepEqual(upstreamTarget('tcp://db:5432'), { host: 'db', port: 5432, tls: false });
  assert.deepEqual(splitHostPort('[::1]', 9), { host: '::1', port: 9 });
});

test('a label given twice is refused rather than one value kept', () => {
  assert.throws(() => parseLabels(['app=a', 'env=x', 'app=b'], '--label'), {
    code: 'ERR_AGENT_CONFIG',
    message: /--label\[2\]: the label app is given twice; give it once/,
  });
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
