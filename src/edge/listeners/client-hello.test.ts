import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { test } from 'node:test';
import { parseClientHello } from './client-hello.ts';

/** Captures the first bytes a real Node TLS client sends. */
async function captureHello(servername?: string, ALPNProtocols?: string[]): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const got = new Promise<Buffer>((resolve) =>
    server.once('connection', (s) =>
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
      }),
    ),
  );
  const client = tls.connect({ port, host: '127.0.0.1', servername, ALPNProtocols, rejectUnauthorized: false });
  client.on('error', () => {});
  const hello = await got;
  client.destroy();
  server.close();
  return hello;
}

test('reads the server name from a real ClientHello, whole or split', async () => {
  const hello = await captureHello('App.Example.test');
  assert.deepEqual(parseClientHello(hello), { state: 'done', serverName: 'app.example.test', alpnProtocols: [] });
  assert.deepEqual(parseClientHello(hello.subarray(0, 20)), { state: 'need-more' });
});

test('no SNI and non-TLS bytes', async () => {
  const hello = await captureHello(undefined);
  assert.deepEqual(parseClientHello(hello), { state: 'done', serverName: undefined, alpnProtocols: [] });
  assert.deepEqual(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n')), { state: 'not-tls' });
});

test('reads the offered ALPN protocols (acme-tls/1 for TLS-ALPN-01)', async () => {
  const hello = await captureHello('alpn.example.test', ['acme-tls/1']);
  assert.deepEqual(parseClientHello(hello), {
    state: 'done',
    serverName: 'alpn.example.test',
    alpnProtocols: ['acme-tls/1'],
  });
  const both = await captureHello('x.example.test', ['h2', 'http/1.1']);
  assert.deepEqual(parseClientHello(both), {
    state: 'done',
    serverName: 'x.example.test',
    alpnProtocols: ['h2', 'http/1.1'],
  });
});
