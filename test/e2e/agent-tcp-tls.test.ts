import { defer } from '../support/defer.ts';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { test } from 'node:test';
import { issueLeafCertificate, loadOrCreateLocalCa } from '../../src/edge/tls/local-ca.ts';
import { patternDigest, patternStream } from '../support/data.ts';
import { forwardTo, startTestEdge, tempDir } from '../support/edge.ts';
import { startEchoService } from '../support/services.ts';

const MiB = 1024 * 1024;

/** Sends `size` pattern bytes, half-closes, and hashes everything echoed back. */
async function echoThrough(socket: net.Socket, size: number): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  socket.on('data', (c: Buffer) => {
    bytes += c.length;
    hash.update(c);
  });
  patternStream(size, 3).pipe(socket);
  await new Promise<void>((resolve, reject) => socket.once('end', resolve).once('error', reject));
  socket.destroy();
  return { bytes, sha256: hash.digest('hex') };
}

test('TCP endpoint: bulk echo is byte-exact and half-close passes through', async (t) => {
  const edge = await startTestEdge(t);
  const echo = await startEchoService(t);
  const tunnel = await forwardTo(t, edge, {
    proto: 'tcp',
    addr: echo.port,
  });
  const url = new URL(tunnel.url);
  assert.equal(url.protocol, 'tcp:');
  const size = 32 * MiB;
  const socket = net.connect(Number(url.port), '127.0.0.1');
  const result = await echoThrough(socket, size);
  assert.equal(result.bytes, size);
  assert.equal(result.sha256, await patternDigest(size, 3));
});

test('TLS endpoint: passed through by SNI, the service terminates with its own key', async (t) => {
  const edge = await startTestEdge(t);
  // The service's own PKI, which the edge never sees.
  const serviceCa = await loadOrCreateLocalCa(await tempDir(t));
  const hostname = 'secure-app.localhost';
  const leaf = await issueLeafCertificate(serviceCa, { dnsNames: [hostname] });
  const service = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => {
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => service.close(() => r())));
  const port = (service.address() as net.AddressInfo).port;

  const tunnel = await forwardTo(t, edge, {
    proto: 'tls',
    addr: port,
    hostname,
  });
  assert.equal(tunnel.url, `tls://${hostname}:${edge.ports.https}`);

  const client = tls.connect({
    host: '127.0.0.1',
    port: edge.ports.https,
    servername: hostname,
    ca: serviceCa.certPem,
  });
  await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
  // The certificate the client verified is the service's, not one from the edge's CA.
  assert.equal(
    client.getPeerX509Certificate()?.fingerprint256,
    new (await import('node:crypto')).X509Certificate(leaf.certPem).fingerprint256,
  );
  const result = await echoThrough(client as unknown as net.Socket, 4 * MiB);
  assert.equal(result.bytes, 4 * MiB);
  assert.equal(result.sha256, await patternDigest(4 * MiB, 3));
});
