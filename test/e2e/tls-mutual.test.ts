import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { test } from 'node:test';
import { issueTestCert, makeTestCa } from '../support/x509-pki.ts';
import { apiClient } from '../support/api.ts';
import { loopbackLookup } from '../support/client.ts';
import { httpsEdge, reserve, tunnelGroupBackend } from '../support/edges.ts';
import { forwardTo, startTestEdge, tempDir } from '../support/edge.ts';
import { startEchoService, startHttpService } from '../support/services.ts';
import { curl } from './tls-clients.ts';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DAY_MS = 86_400_000;

type Outcome = { status: number; body: string } | { error: string };

/** One HTTPS GET with an optional client certificate; `host` overrides the Host header. */
function get(
  port: number,
  name: string,
  options: { ca: string; cert?: string; key?: string; host?: string; headers?: Record<string, string> },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: name,
        port,
        path: '/',
        servername: name,
        lookup: loopbackLookup,
        agent: false,
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        headers: { ...options.headers, ...(options.host ? { host: options.host } : {}) },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end();
  });
}

/** Sends `ping` over a TLS edge; the echo service returns it when the connection was let through. */
function ping(port: number, name: string, options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const socket = tls.connect({ host: '127.0.0.1', port, servername: name, ...options }, () => socket.write('ping'));
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (d: Buffer) => {
      got += d.toString();
      if (got === 'ping') socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(got));
  });
}

test('mutual TLS: a valid client certificate passes with its subject in a header; none, another CA and an expired one are refused', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const dir = await tempDir(t);
  const trusted = await makeTestCa('Portico Test Client CA');
  const other = await makeTestCa('Some Other CA');
  const alice = await issueTestCert(trusted, { commonName: 'alice', usage: 'client' });
  const mallory = await issueTestCert(other, { commonName: 'alice', usage: 'client' });
  const expired = await issueTestCert(trusted, {
    commonName: 'old alice',
    usage: 'client',
    notBefore: new Date(Date.now() - 10 * DAY_MS),
    notAfter: new Date(Date.now() - DAY_MS),
  });
  const ca = await ngrok.certificateAuthorities.create({ caPem: trusted.certPem });

  // The service answers with the subject header it received.
  const service = await startHttpService(t, (req, res) =>
    res.end(`subject=${req.headers['portico-client-cert-subject'] ?? '(none)'}`),
  );
  await forwardTo(t, edge, {
    addr: service.port,
    labels: { app: 'mtls' },
  });
  await reserve(ngrok, 'secure.example.com', 'open.example.com');
  const group = await tunnelGroupBackend(ngrok, { app: 'mtls' });
  const secure = await ngrok.edges.edgesHttps.create({
    hostports: ['secure.example.com:443'],
    mutualTls: { certificateAuthorityIds: [ca.id] },
  });
  await ngrok.edges.edgesHttpsRoutes.create({
    edgeId: secure.id,
    matchType: 'path_prefix',
    match: '/',
    backend: { backendId: group },
  });
  await httpsEdge(ngrok, ['open.example.com:443'], [{ backendId: group }]);
  await edge.snapshots.settled();
  const port = edge.ports.https;
  const base = { ca: edge.caPem };

  // A forged header from the client is replaced by the verified subject.
  assert.deepEqual(
    await get(port, 'secure.example.com', {
      ...base,
      cert: alice.certPem,
      key: alice.keyPem,
      headers: { 'Portico-Client-Cert-Subject': 'CN=admin' },
    }),
    { status: 200, body: 'subject=CN=alice,O=Portico Test' },
  );
  for (const [what, cert] of [
    ['no certificate', undefined],
    ['another CA', mallory],
    ['an expired certificate', expired],
  ] as const) {
    const outcome = await get(port, 'secure.example.com', { ...base, cert: cert?.certPem, key: cert?.keyPem });
    assert.ok('error' in outcome, `${what} is refused: ${JSON.stringify(outcome)}`);
  }
  // Without mutual TLS the header never reaches the service, whatever the client sends.
  assert.deepEqual(
    await get(port, 'open.example.com', { ...base, headers: { 'Portico-Client-Cert-Subject': 'CN=admin' } }),
    { status: 200, body: 'subject=(none)' },
  );
  // A connection made for another name cannot be used to reach the mutual-TLS edge.
  const misdirected = await get(port, 'open.example.com', { ...base, host: 'secure.example.com' });
  assert.ok(
    'status' in misdirected && misdirected.status === 421 && misdirected.body.includes('ERR_EDGE_TLS_MISDIRECTED'),
    JSON.stringify(misdirected),
  );

  // curl, an independent client.
  const certFile = join(dir, 'alice.pem');
  const keyFile = join(dir, 'alice-key.pem');
  await writeFile(certFile, alice.certPem);
  await writeFile(keyFile, alice.keyPem);
  assert.deepEqual(await curl(dir, port, 'secure.example.com', edge.caPem, ['--cert', certFile, '--key', keyFile]), {
    status: 200,
    body: 'subject=CN=alice,O=Portico Test',
  });
  assert.ok('exit' in (await curl(dir, port, 'secure.example.com', edge.caPem)), 'curl without a certificate fails');

  // A TLS edge terminating at the edge: the same checks before any byte reaches the service.
  const echo = await startEchoService(t);
  await forwardTo(t, edge, {
    addr: `tcp://127.0.0.1:${echo.port}`,
    proto: 'tcp',
    labels: { svc: 'echo' },
  });
  await reserve(ngrok, 'secure-tls.example.com');
  await ngrok.edges.edgesTls.create({
    hostports: ['secure-tls.example.com:443'],
    backend: { backendId: await tunnelGroupBackend(ngrok, { svc: 'echo' }) },
    tlsTermination: { terminateAt: 'edge' },
    mutualTls: { certificateAuthorityIds: [ca.id] },
  });
  await edge.snapshots.settled();
  assert.equal(await ping(port, 'secure-tls.example.com', { ...base, cert: alice.certPem, key: alice.keyPem }), 'ping');
  assert.equal(await ping(port, 'secure-tls.example.com', base), '');
  assert.equal(await ping(port, 'secure-tls.example.com', { ...base, cert: mallory.certPem, key: mallory.keyPem }), '');
  assert.equal(await ping(port, 'secure-tls.example.com', { ...base, cert: expired.certPem, key: expired.keyPem }), '');
});
