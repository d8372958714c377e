import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkTimeouts,
  dialableAddr,
  parseDuration,
  parseListenAddr,
  parsePortRange,
  timeoutDefaults,
} from './config.ts';

test('listen addresses: host:port, all interfaces, IPv6, bare port; bad ones name the flag', () => {
  assert.deepEqual(parseListenAddr(':4443'), { host: '', port: 4443 });
  assert.deepEqual(parseListenAddr('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListenAddr('[::1]:8443'), { host: '::1', port: 8443 });
  assert.deepEqual(parseListenAddr('8080'), { host: '', port: 8080 });
  for (const bad of ['', 'localhost', 'host:99999', 'a:b:c', '[::1]']) {
    assert.throws(
      () => parseListenAddr(bad, '--https-addr'),
      (e: Error & { code?: string }) => e.code === 'ERR_CONFIG_INVALID' && e.message.includes('--https-addr'),
    );
  }
});

test('TCP port ranges: a range, one port, 0 for any; bad ones are refused', () => {
  assert.deepEqual(parsePortRange('20000-20999'), { min: 20000, max: 20999 });
  assert.deepEqual(parsePortRange('20001'), { min: 20001, max: 20001 });
  assert.deepEqual(parsePortRange('0'), { min: 0, max: 0 });
  for (const bad of ['20999-20000', 'x', '0-10', '1-70000', '']) {
    assert.throws(
      () => parsePortRange(bad),
      (e: Error & { code?: string }) => e.code === 'ERR_CONFIG_INVALID',
    );
  }
});

test('bound addresses are written for clients: all interfaces become localhost', () => {
  assert.equal(dialableAddr('', 4443), 'localhost:4443');
  assert.equal(dialableAddr('0.0.0.0', 1), 'localhost:1');
  assert.equal(dialableAddr('::1', 2), '[::1]:2');
  assert.equal(dialableAddr('127.0.0.1', 3), '127.0.0.1:3');
});

test('durations: units, bare seconds, 0; bad ones name the flag; timeouts must fit together', () => {
  assert.equal(parseDuration('500ms', '--x'), 500);
  assert.equal(parseDuration('10s', '--x'), 10_000);
  assert.equal(parseDuration('1.5m', '--x'), 90_000);
  assert.equal(parseDuration('2h', '--x'), 7_200_000);
  assert.equal(parseDuration('30', '--x'), 30_000);
  assert.equal(parseDuration('0', '--x'), 0);
  for (const bad of ['', '-1s', '10 parsecs', '1e3', '30d', '99999999h']) {
    assert.throws(
      () => parseDuration(bad, '--drain-timeout'),
      (e: Error & { code?: string }) => e.code === 'ERR_CONFIG_INVALID' && e.message.includes('--drain-timeout'),
    );
  }
  assert.deepEqual(checkTimeouts(timeoutDefaults), timeoutDefaults);
  assert.throws(() => checkTimeouts({ ...timeoutDefaults, readHeader: 0 }), /--read-header-timeout/);
  assert.throws(() => checkTimeouts({ ...timeoutDefaults, request: 5000, readHeader: 10_000 }), /--request-timeout/);
  assert.doesNotThrow(() => checkTimeouts({ ...timeoutDefaults, request: 0 }));
});
