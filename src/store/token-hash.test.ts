import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newId } from './ids.ts';
import { hashSecret, makeToken, parseToken, verifySecret } from './token-hash.ts';

test('a token is <id-body>_<secret>, and only the hash of the secret is returned for storage', () => {
  const id = newId('cr');
  const { token, hash } = makeToken(id);
  const parts = parseToken(token);
  assert.ok(parts);
  assert.equal(parts.idBody, id.slice(3));
  assert.match(parts.secret, /^[A-Za-z0-9_-]{43}$/);
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(hash, hashSecret(parts.secret));
  assert.ok(!hash.includes(parts.secret));
  assert.equal(verifySecret(parts.secret, hash), true);
});

test('verifySecret refuses a wrong secret or a malformed hash', () => {
  const { token, hash } = makeToken(newId('ak'));
  const secret = parseToken(token)!.secret;
  const other = parseToken(makeToken(newId('ak')).token)!.secret;
  assert.equal(verifySecret(other, hash), false);
  assert.equal(verifySecret(secret, hash.slice(2)), false);
  assert.equal(verifySecret(secret, ''), false);
});

test('parseToken refuses malformed tokens', () => {
  const body = newId('cr').slice(3);
  const secret = 'A'.repeat(43);
  assert.deepEqual(parseToken(`${body}_${secret}`), { idBody: body, secret });
  for (const bad of [
    '',
    'nounderscore',
    `${body}_short`,
    `${body.toUpperCase()}_${secret}`,
    `cr_${body}_${secret}`,
    `${body}_${secret}=`,
  ]) {
    assert.equal(parseToken(bad), undefined, bad);
  }
});
