import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { test } from 'node:test';
import { AcmeChallenges } from './challenges.ts';

test('HTTP-01: known tokens are answered, anything else goes on to the proxy', async (t) => {
  const challenges = new AcmeChallenges();
  challenges.setHttp('tok-1', 'tok-1.thumbprint');
  const server = http.createServer((req, res) => {
    if (!challenges.serveHttp(req, res)) res.writeHead(299).end('proxied');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(base + path, { method });
    return [res.status, await res.text()];
  };
  assert.deepEqual(await get('/.well-known/acme-challenge/tok-1'), [200, 'tok-1.thumbprint']);
  assert.deepEqual(await get('/.well-known/acme-challenge/tok-1', 'HEAD'), [200, '']);
  assert.deepEqual(await get('/.well-known/acme-challenge/other'), [299, 'proxied']);
  assert.deepEqual(await get('/.well-known/acme-challenge/tok-1', 'POST'), [299, 'proxied']);
  challenges.deleteHttp('tok-1');
  assert.deepEqual(await get('/.well-known/acme-challenge/tok-1'), [299, 'proxied']);
});
