import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admits } from './constraints.ts';
import { parseCookies, setCookie, withoutCookies } from './cookies.ts';
import { safeLocalUri } from './identity-module.ts';
import { currentLoginState, currentSession, needsRenewal } from './session.ts';

const plan = { cookiePrefix: 'ngrok.', inactivityTimeoutS: 0, maximumDurationS: 3600, optionsPassthrough: false };
const user = { id: 'u1', name: 'A', email: 'a@example.com' };

test('a session ends after maximum_duration, and after inactivity_timeout when one is set', () => {
  const s = { user, loginAt: 0, seenAt: 0 };
  assert.ok(currentSession(s, plan, 3_600_000));
  assert.equal(currentSession(s, plan, 3_600_001), undefined);
  const idle = { ...plan, inactivityTimeoutS: 600 };
  assert.ok(currentSession({ ...s, seenAt: 1_000_000 }, idle, 1_500_000));
  assert.equal(currentSession({ ...s, seenAt: 0 }, idle, 600_001), undefined);
  assert.equal(currentSession({ user: { id: 1 } }, plan, 0), undefined);
  assert.equal(currentSession(undefined, plan, 0), undefined);
  // Renewed at most once a minute, and only when inactivity counts.
  assert.equal(needsRenewal(s, plan, 3_000_000), false);
  assert.equal(needsRenewal(s, idle, 59_999), false);
  assert.equal(needsRenewal(s, idle, 60_000), true);
});

test('a login state expires', () => {
  const state = { state: 'x', remembered: {}, uri: '/', method: 'GET', expiresAt: 100 };
  assert.deepEqual(currentLoginState(state, 100), state);
  assert.equal(currentLoginState(state, 101), undefined);
  assert.equal(currentLoginState({ state: 1 }, 0), undefined);
});

test('constraints: none lets everyone in; else a verified email listed or of a listed domain', () => {
  const none = { allowEmails: [], allowDomains: [] };
  assert.ok(admits(none, { ...user, email: '' }));
  const some = { allowEmails: ['boss@other.org'], allowDomains: ['example.com'] };
  assert.ok(admits(some, user));
  assert.ok(admits(some, { ...user, email: 'Boss@Other.org' }));
  assert.ok(!admits(some, { ...user, email: 'a@sub.example.com' }));
  assert.ok(!admits(some, { ...user, email: 'a@example.com.evil' }));
  assert.ok(!admits(some, { ...user, emailVerified: false }));
  assert.ok(!admits(some, { ...user, email: '' }));
});

test('cookies: parsed, filtered for the service, and set HttpOnly, SameSite=Lax, Secure on https', () => {
  const jar = parseCookies('a=1; ngrok.session=v1.x; ngrok.nonce.ab=v1.y; a=2');
  assert.deepEqual(
    [...jar],
    [
      ['a', '1'],
      ['ngrok.session', 'v1.x'],
      ['ngrok.nonce.ab', 'v1.y'],
    ],
  );
  const drop = (n: string) => n.startsWith('ngrok.');
  assert.equal(withoutCookies('a=1; ngrok.session=v1.x; b=2', drop), 'a=1; b=2');
  assert.equal(withoutCookies('ngrok.session=v1.x', drop), undefined);
  assert.equal(setCookie('n', 'v', 60, true), 'n=v; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax');
  assert.equal(setCookie('n', '', 0, false), 'n=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax');
});

test('after login the user returns to a path on the same host, never to another origin', () => {
  assert.equal(safeLocalUri('/a?b=1'), '/a?b=1');
  assert.equal(safeLocalUri('//evil.test/x'), '/');
  assert.equal(safeLocalUri('/\\evil.test'), '/');
  assert.equal(safeLocalUri('http://evil.test/'), '/');
});
