import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isValidId } from '../../store/ids.ts';
import { AddrClaims } from './addr-claims.ts';

test('a claim verifies for its account and port only, and is a valid tunnel id', () => {
  const claims = new AddrClaims(randomBytes(32));
  const id = claims.issue('acct_a', 20123);
  assert.ok(isValidId(id, 'tn'));
  assert.equal(claims.verify(id, 'acct_a', 20123), true);
  assert.equal(claims.verify(id, 'acct_b', 20123), false);
  assert.equal(claims.verify(id, 'acct_a', 20124), false);
  assert.equal(new AddrClaims(randomBytes(32)).verify(id, 'acct_a', 20123), false, 'another edge secret');
  assert.equal(claims.verify('tn_0000000000zzzzzzzzzzzzzzzzz', 'acct_a', 20123), false);
  assert.equal(claims.verify('not an id', 'acct_a', 20123), false);
});
