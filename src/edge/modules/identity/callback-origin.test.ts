import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import { isPorticoError } from '../../../errors/catalogue.ts';
import { callbackOriginFrom, commonRedirectUri, forwardableState, forwardCallback } from './callback-origin.ts';

const key = Buffer.alloc(32, 7);
const common = callbackOriginFrom('https://login.example.com', key)!;
const req = (url: string) => ({ url }) as http.IncomingMessage;
const everywhere = () => true;

test('the origin is checked at start: no path, query or other scheme', () => {
  assert.equal(callbackOriginFrom(undefined, key), undefined);
  for (const bad of [
    'login.example.com',
    'https://login.example.com/cb',
    'https://l.example.com?x=1',
    'ftp://l.example.com',
  ])
    assert.throws(
      () => callbackOriginFrom(bad, key),
      (e) => isPorticoError(e) && e.code === 'ERR_CONFIG_INVALID',
    );
});

test('the redirect URI keeps the request port unless the origin names one', () => {
  assert.equal(commonRedirectUri(common, 'app.example.org:8443'), 'https://login.example.com:8443/oauth2/callback');
  assert.equal(commonRedirectUri(common, 'app.example.org'), 'https://login.example.com/oauth2/callback');
  const fixed = callbackOriginFrom('https://login.example.com:9443', key)!;
  assert.equal(commonRedirectUri(fixed, 'app.example.org:8443'), 'https://login.example.com:9443/oauth2/callback');
});

test('forwarded only at the callback origin, for a MAC-checked state naming a host the edge serves', () => {
  const state = forwardableState(common, 'abcd.nonce', 'https://app.example.org:8443');
  const at = (path: string, host = 'login.example.com', serves = everywhere) =>
    forwardCallback(common, req(path), host, serves);
  assert.deepEqual(at(`/oauth2/callback?code=1&state=${state}`), {
    location: `https://app.example.org:8443/oauth2/callback?code=1&state=${state}`,
  });
  assert.equal(at(`/oauth2/callback?state=${state}`, 'app.example.org'), 'not-mine', 'another host');
  assert.equal(at(`/other?state=${state}`), 'not-mine', 'another path');
  assert.equal(at('/oauth2/callback?state=abcd.nonce'), 'not-mine', 'a login of this host itself');
  assert.equal(
    at(`/oauth2/callback?state=${state}`, 'login.example.com', () => false),
    'refuse',
    'not served',
  );
  const other = callbackOriginFrom('https://login.example.com', Buffer.alloc(32, 8))!;
  const foreign = forwardableState(other, 'abcd.nonce', 'https://app.example.org');
  assert.equal(at(`/oauth2/callback?state=${foreign}`), 'refuse', 'another key');
  const home = forwardableState(common, 'abcd.nonce', 'https://login.example.com');
  assert.equal(at(`/oauth2/callback?state=${home}`), 'not-mine', 'the callback host itself');
  assert.equal(at(`/oauth2/callback?state=${state}&pad=${'x'.repeat(9000)}`), 'refuse', 'too long');
});
