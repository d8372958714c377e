import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPorticoError } from '../../errors/catalogue.ts';
import { aclAllows, checkBindAllowed, invalidAclRules, parseAclRule } from './acl.ts';

test('parseAclRule accepts hostnames, wildcards, addresses, labels and *', () => {
  assert.deepEqual(parseAclRule('bind:App.Example.com'), { kind: 'hostname', name: 'app.example.com' });
  assert.deepEqual(parseAclRule('bind:*.example.com'), { kind: 'wildcard', suffix: '.example.com' });
  assert.deepEqual(parseAclRule('bind:tcp.example.com:20001'), { kind: 'addr', host: 'tcp.example.com', port: 20001 });
  assert.deepEqual(parseAclRule('bind:app=web'), { kind: 'label', key: 'app', value: 'web' });
  assert.deepEqual(parseAclRule('bind:*=web'), { kind: 'label', key: '*', value: 'web' });
  assert.deepEqual(parseAclRule('bind:*'), { kind: 'any' });
  assert.deepEqual(parseAclRule('*'), { kind: 'any' });
});

test('parseAclRule refuses anything else', () => {
  for (const rule of [
    '',
    'bind:',
    'allow:x.com',
    'x.com',
    'bind:foo..com',
    'bind:*.*.com',
    'bind:a*.com',
    'bind:x.com:0',
    'bind:x.com:70000',
    'bind:=x',
    'bind:a=b=c',
    'bind:-x.com',
  ]) {
    assert.equal(parseAclRule(rule), undefined, rule);
  }
  assert.deepEqual(invalidAclRules(['bind:ok.com', 'nope']), ['nope']);
});

test('aclAllows: empty allows all; exact; wildcard at any depth; not the bare parent', () => {
  assert.ok(aclAllows([], { hostname: 'anything.com' }));
  const acl = ['bind:allowed.localhost', 'bind:*.example.com'];
  assert.ok(aclAllows(acl, { hostname: 'allowed.localhost' }));
  assert.ok(aclAllows(acl, { hostname: 'ALLOWED.localhost' }));
  assert.ok(!aclAllows(acl, { hostname: 'other.localhost' }));
  assert.ok(aclAllows(acl, { hostname: 'a.example.com' }));
  assert.ok(aclAllows(acl, { hostname: 'a.b.c.example.com' }));
  assert.ok(aclAllows(acl, { hostname: '*.example.com' }));
  assert.ok(!aclAllows(acl, { hostname: 'example.com' }));
  assert.ok(!aclAllows(acl, { hostname: 'badexample.com' }));
  assert.ok(aclAllows(['bind:x.com', 'bind:*'], { hostname: 'y.org' }));
});

test('aclAllows: addresses and labels', () => {
  assert.ok(aclAllows(['bind:localhost:20001'], { addr: { host: 'localhost', port: 20001 } }));
  assert.ok(!aclAllows(['bind:localhost:20001'], { addr: { host: 'localhost', port: 20002 } }));
  assert.ok(!aclAllows(['bind:localhost:20001'], { addr: { host: 'localhost', port: 0 } }));
  assert.ok(!aclAllows(['bind:a.com'], { addr: { host: 'a.com', port: 1 } }));
  assert.ok(aclAllows(['bind:app=web', 'bind:*=prod'], { labels: { app: 'web', env: 'prod' } }));
  assert.ok(!aclAllows(['bind:app=web'], { labels: { app: 'web', env: 'prod' } }));
  assert.ok(aclAllows(['bind:app=*'], { labels: { app: 'anything' } }));
  assert.ok(!aclAllows(['bind:app.com'], { labels: { app: 'web' } }));
});

test('checkBindAllowed throws ERR_BIND_NOT_ALLOWED naming the target', () => {
  checkBindAllowed(undefined, { hostname: 'x.com' });
  checkBindAllowed(['bind:x.com'], { hostname: 'x.com' });
  assert.throws(
    () => checkBindAllowed(['bind:x.com'], { hostname: 'y.com' }),
    (e: unknown) => isPorticoError(e) && e.code === 'ERR_BIND_NOT_ALLOWED' && e.message.includes('"y.com"'),
  );
});
