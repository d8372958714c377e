import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IpFilter } from './ip-filter.ts';

const filter = new IpFilter([
  { action: 'allow', cidr: '10.0.0.0/8' },
  { action: 'allow', cidr: '2001:db8::/32' },
  { action: 'deny', cidr: '10.1.0.0/16' },
]);

test('a source is let in when an allow rule matches and no deny rule does', () => {
  assert.ok(filter.admits('10.2.3.4'));
  assert.ok(!filter.admits('10.1.2.3'), 'denied inside an allowed range');
  assert.ok(!filter.admits('192.0.2.1'), 'in no allow rule');
  assert.ok(filter.admits('::ffff:10.2.3.4'), 'IPv4-mapped IPv6 as the IPv4 address');
  assert.ok(!filter.admits('::ffff:10.1.2.3'));
  assert.ok(filter.admits('2001:db8::1%eth0'), 'a zone is ignored');
  assert.ok(!filter.admits('not an address'));
  assert.ok(!filter.admits(''));
});

test('answers stay the same when asked again, and past the sources it remembers', () => {
  // Three rounds over more sources than a filter remembers: each answer is checked anew or remembered.
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 3000; i++) {
      const ip = `10.${i % 2}.${(i >> 8) & 255}.${i & 255}`;
      assert.equal(filter.admits(ip), i % 2 === 0, ip);
    }
  }
});
