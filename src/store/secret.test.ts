import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Secret } from './secret.ts';

test('a Secret never shows its value except through reveal()', () => {
  const secret = new Secret('hunter2');
  assert.equal(secret.reveal(), 'hunter2');
  assert.equal(String(secret), '[redacted]');
  assert.equal(`${secret}`, '[redacted]');
  assert.equal('x' + secret, 'x[redacted]');
  assert.equal(JSON.stringify({ token: secret }), '{"token":"[redacted]"}');
  assert.equal(inspect(secret), '[redacted]');
  assert.equal(inspect({ nested: { secret } }, { depth: 5 }), '{ nested: { secret: [redacted] } }');
  assert.doesNotMatch(inspect(secret, { showHidden: true }), /hunter2/);
});
