import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiateCoding } from './accept-encoding.ts';

test('Accept-Encoding negotiation: q-values, q=0, wildcard, ties prefer gzip', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['br', undefined],
    ['gzip', 'gzip'],
    ['deflate', 'deflate'],
    ['deflate, gzip', 'gzip'],
    ['gzip;q=0.5, deflate', 'deflate'],
    ['GZIP;Q=0.8, deflate;q=0.9', 'deflate'],
    ['gzip;q=0, deflate', 'deflate'],
    ['gzip;q=0, deflate;q=0', undefined],
    ['*', 'gzip'],
    ['*;q=0.1, gzip;q=0', 'deflate'],
    ['br;q=1, *;q=0', undefined],
    ['gzip;q=nonsense, deflate;q=0.1', 'deflate'],
  ];
  for (const [header, expected] of cases) assert.equal(negotiateCoding(header), expected, String(header));
});
