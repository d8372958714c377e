import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CookieSealer, deriveSealKey, type SealBinding } from './sealed-cookie.ts';

const edgeKey = randomBytes(32);
const binding: SealBinding = { owner: 'edghtsrt_1', provider: 'oidc', clientId: 'app', configDigest: 'd1' };
const context = 'ngrok.session\0app.example.com';

test('a sealed value opens only with the same key and context, and not after any change', () => {
  const sealer = new CookieSealer(deriveSealKey(edgeKey, binding));
  const value = sealer.seal({ user: 'alice' }, context);
  assert.match(value, /^v1\.[\w-]+$/);
  assert.ok(!value.includes('alice'), 'opaque');
  assert.deepEqual(sealer.open(value, context), { user: 'alice' });
  // Another host, another cookie name.
  assert.equal(sealer.open(value, 'ngrok.session\0other.example.com'), undefined);
  assert.equal(sealer.open(value, 'ngrok.nonce.1\0app.example.com'), undefined);
  // Any flipped character.
  const i = value.length - 5;
  const flipped = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
  assert.equal(sealer.open(flipped, context), undefined);
  assert.equal(sealer.open('v1.', context), undefined);
  assert.equal(sealer.open(undefined, context), undefined);
  assert.equal(sealer.open('garbage', context), undefined);
});

test('the key is bound to the owner, provider, client id and configuration', () => {
  const value = new CookieSealer(deriveSealKey(edgeKey, binding)).seal({ a: 1 }, context);
  for (const change of [
    { owner: 'edghtsrt_2' },
    { provider: 'google' },
    { clientId: 'other' },
    { configDigest: 'd2' },
  ]) {
    const other = new CookieSealer(deriveSealKey(edgeKey, { ...binding, ...change }));
    assert.equal(other.open(value, context), undefined, JSON.stringify(change));
  }
  assert.equal(new CookieSealer(deriveSealKey(randomBytes(32), binding)).open(value, context), undefined);
});
