import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient } from '../support/api.ts';
import { httpsEdge, reserve, httpResponseBackend } from '../support/edges.ts';
import { startTestEdge } from '../support/edge.ts';
import { nodeHandshake, opensslHandshake } from './tls-clients.ts';

// OpenSSL 3 refuses TLS 1.0/1.1 at its default security level on the client side too.
const legacy = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const;
const opensslTls11 = ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'];

test('tls_termination min_version per edge: TLS 1.1 refused at the default 1.2, accepted at 1.0; 1.3 refuses 1.2', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'modern.example.com', 'old.example.com', 'strict.example.com', 'tls13.example.com');
  await httpsEdge(ngrok, ['modern.example.com:443'], [{ backendId: await httpResponseBackend(ngrok, 'modern') }]);
  const old = await ngrok.edges.edgesHttps.create({
    hostports: ['old.example.com:443'],
    tlsTermination: { minVersion: '1.0' },
  });
  await ngrok.edges.edgesHttpsRoutes.create({
    edgeId: old.id,
    matchType: 'path_prefix',
    match: '/',
    backend: { backendId: await httpResponseBackend(ngrok, 'old') },
  });
  await ngrok.edges.edgesHttps.create({ hostports: ['strict.example.com:443'], tlsTermination: { minVersion: '1.3' } });
  await ngrok.edges.edgesTls.create({
    hostports: ['tls13.example.com:443'],
    tlsTermination: { terminateAt: 'edge', minVersion: '1.3' },
  });
  await edge.snapshots.settled();
  const port = edge.ports.https;

  const modern11 = await nodeHandshake(port, 'modern.example.com', legacy);
  assert.equal(modern11.ok, false, 'TLS 1.1 is refused where the minimum is the default 1.2');
  const old11 = await nodeHandshake(port, 'old.example.com', legacy);
  assert.ok(
    old11.ok && old11.protocol === 'TLSv1.1',
    `TLS 1.1 is accepted where the module says 1.0: ${JSON.stringify(old11)}`,
  );
  const modern12 = await nodeHandshake(port, 'modern.example.com', { maxVersion: 'TLSv1.2' });
  assert.ok(modern12.ok && modern12.protocol === 'TLSv1.2');

  // The same through an independent client.
  assert.equal((await opensslHandshake(port, 'modern.example.com', opensslTls11)).ok, false);
  const viaOpenssl = await opensslHandshake(port, 'old.example.com', opensslTls11);
  assert.ok(viaOpenssl.ok && viaOpenssl.protocol === 'TLSv1.1', JSON.stringify(viaOpenssl));

  // min 1.3 on an HTTPS edge and on a TLS edge terminating at the edge.
  for (const name of ['strict.example.com', 'tls13.example.com']) {
    assert.equal((await nodeHandshake(port, name, { maxVersion: 'TLSv1.2' })).ok, false, `${name} refuses TLS 1.2`);
    const v13 = await nodeHandshake(port, name);
    assert.ok(v13.ok && v13.protocol === 'TLSv1.3', `${name}: ${JSON.stringify(v13)}`);
  }
  // Agent-endpoint names and names nobody serves keep the default minimum.
  assert.equal((await nodeHandshake(port, 'nobody.localhost', legacy)).ok, false);
});
