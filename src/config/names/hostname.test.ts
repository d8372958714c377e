import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidHostname, isValidWildcard, normalizeHostname } from './hostname.ts';

test('normalizeHostname lower-cases and strips one trailing dot', () => {
  assert.equal(normalizeHostname('App.Example.COM.'), 'app.example.com');
  assert.equal(normalizeHostname('localhost'), 'localhost');
});

test('isValidHostname accepts RFC 1123 names', () => {
  for (const name of ['localhost', 'a.b', 'app.example.com', 'x-1.y2.test', '1password.com', 'A.Example.Com']) {
    assert.equal(isValidHostname(name), true, name);
  }
});

test('isValidHostname refuses malformed names', () => {
  const long = `${'a'.repeat(63)}.`.repeat(4) + 'com'; // 259 characters
  for (const name of [
    '',
    '.',
    'a..b',
    '-a.com',
    'a-.com',
    'a_b.com',
    'app.example.com.',
    '*.example.com',
    '127.0.0.1',
    'a b.com',
    `${'a'.repeat(64)}.com`,
    long,
    'ex\u00e4mple.com',
  ]) {
    assert.equal(isValidHostname(name), false, name);
  }
  assert.equal(isValidHostname(`${'a'.repeat(63)}.com`), true);
});

test('isValidWildcard accepts a single leading *. only', () => {
  assert.equal(isValidWildcard('*.example.com'), true);
  assert.equal(isValidWildcard('*.localhost'), true);
  for (const name of [
    'example.com',
    '*',
    '*.',
    '*.*.example.com',
    'a.*.example.com',
    '*example.com',
    '**.example.com',
  ]) {
    assert.equal(isValidWildcard(name), false, name);
  }
});
