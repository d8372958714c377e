import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { test } from 'node:test';
import { apiClient } from '../support/api.ts';
import { httpsEdge, reserve, httpResponseBackend, tunnelGroupBackend } from '../support/edges.ts';
import { forwardTo, startTestEdge } from '../support/edge.ts';
import { startHttpService } from '../support/services.ts';

/** GET https://127.0.0.1 (an IP: Node sends no SNI) with `host` as the Host header; returns the served certificate too. */
function getWithoutSni(
  port: number,
  host: string,
  ca: string,
): Promise<{ status: number; body: string; subject: string }> {
  return new Promise((resolve, reject) => {
    let subject = '';
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        agent: false,
        ca,
        headers: { host },
        // Node would send the Host header as SNI; an empty name sends none.
        servername: '',
        // The default certificate names the edge domain, not 127.0.0.1: record it instead of checking it.
        checkServerIdentity: (_name, cert) => void (subject = `CN=${cert.subject.CN}`),
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, subject }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('clients without SNI: default certificate, agent endpoints by Host, edges refused with a code, TLS names fail fast', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const port = edge.ports.https;
  await reserve(ngrok, 'web.example.com', 'edge.example.com', 'raw.example.com');
  const service = await startHttpService(t, (_req, res) => res.end('agent endpoint'));
  await forwardTo(t, edge, {
    addr: service.port,
    hostname: 'web.example.com',
  });
  await httpsEdge(ngrok, ['edge.example.com:443'], [{ backendId: await httpResponseBackend(ngrok, 'edge') }]);
  await ngrok.edges.edgesTls.create({
    hostports: ['raw.example.com:443'],
    backend: { backendId: await tunnelGroupBackend(ngrok, { svc: 'raw' }) },
    tlsTermination: { terminateAt: 'upstream' },
  });
  await edge.snapshots.settled();

  const endpoint = await getWithoutSni(port, 'web.example.com', edge.caPem);
  assert.deepEqual(endpoint, { status: 200, body: 'agent endpoint', subject: 'CN=localhost' });
  const edgeHost = await getWithoutSni(port, 'edge.example.com', edge.caPem);
  assert.equal(edgeHost.status, 421);
  assert.match(edgeHost.body, /ERR_EDGE_NO_SNI/);

  // A TLS client meaning the TLS edge, without SNI: a verifying client refuses the default certificate...
  const verifying = await new Promise<string>((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ca: edge.caPem,
      checkServerIdentity: (_h, cert) => tls.checkServerIdentity('raw.example.com', cert),
    });
    socket.on('secureConnect', () => resolve('connected'));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  assert.equal(verifying, 'ERR_TLS_CERT_ALTNAME_INVALID');
  // ...and one that does not verify gets HTTP's answer to its bytes and a closed connection, not a hang.
  const started = Date.now();
  const reply = await new Promise<string>((resolve) => {
    let got = '';
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () =>
      socket.write('PING raw protocol\r\n\r\n'),
    );
    socket.on('data', (d: Buffer) => (got += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(got));
  });
  assert.match(reply, /^HTTP\/1\.1 400/);
  assert.match(reply, /ERR_EDGE_BAD_REQUEST/);
  assert.ok(Date.now() - started < 3000, 'closed at once');
});
