import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { isLocalAddress, ownListeners } from './own-listeners.ts';

test("this machine's addresses: loopback, unspecified, IPv4-mapped forms and every interface's", () => {
  for (const ip of ['127.0.0.1', '127.3.2.1', '::1', '0.0.0.0', '::', '::ffff:127.0.0.1'])
    assert.ok(isLocalAddress(ip), ip);
  for (const nic of Object.values(os.networkInterfaces()).flat())
    if (nic) assert.ok(isLocalAddress(nic.address), nic.address);
  for (const ip of ['192.0.2.10', '2001:db8::1', 'example.com', '']) assert.ok(!isLocalAddress(ip), ip);
});

test('an own listener is a local address on a port the edge listens on now', () => {
  const ports = [8443];
  const own = ownListeners(() => ports);
  assert.ok(own('127.0.0.1', 8443));
  assert.ok(!own('127.0.0.1', 8444));
  assert.ok(!own('192.0.2.10', 8443));
  ports.push(8444);
  assert.ok(own('::1', 8444), 'ports are read at each check');
});
