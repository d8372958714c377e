import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostnameTable } from './hostname-table.ts';

test('exact beats wildcard, the most specific wildcard wins', () => {
  const table = new HostnameTable<string>();
  for (const name of ['*.example.com', '*.bar.example.com', 'foo.bar.example.com']) table.set(name, name);
  assert.equal(table.match('foo.bar.example.com'), 'foo.bar.example.com');
  assert.equal(table.match('x.bar.example.com'), '*.bar.example.com');
  assert.equal(table.match('a.b.c.example.com'), '*.example.com');
  assert.equal(table.match('example.com'), undefined);
  assert.equal(table.match('other.org'), undefined);
});
