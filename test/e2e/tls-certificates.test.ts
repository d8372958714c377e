import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Ngrok } from '@ngrok/ngrok-api';
import { issueTestCert, makeTestCa, type TestCa } from '../support/x509-pki.ts';
import { apiClient } from '../support/api.ts';
import { httpsEdge, reserve, httpResponseBackend } from '../support/edges.ts';
import { startTestEdge, tempDir } from '../support/edge.ts';
import { eventually } from '../support/services.ts';
import { commonNameOf, curl, nodeHandshake, opensslHandshake } from './tls-clients.ts';

/** Uploads a server certificate for `names` signed by `ca`; returns its id. */
async function upload(ngrok: Ngrok, ca: TestCa, commonName: string, names: string[]): Promise<string> {
  const pem = await issueTestCert(ca, { commonName, dnsNames: names, usage: 'server' });
  return (await ngrok.tlsCertificates.create({ certificatePem: pem.certPem, privateKeyPem: pem.keyPem })).id;
}

test('certificates by SNI: exact reservation, wildcard reservation for a nested name, edge domain, local CA; replaced without restart', async (t) => {
  const edge = await startTestEdge(t, { config: { domain: 'edge.test' } });
  const ngrok = apiClient(edge);
  const dir = await tempDir(t);
  const root = await makeTestCa('Portico Test Upload Root');
  const port = edge.ports.https;

  const shopCert = await upload(ngrok, root, 'shop uploaded', ['shop.example.com']);
  const wildCert = await upload(ngrok, root, 'wildcard uploaded', ['*.example.net', '*.b.example.net']);
  await ngrok.reservedDomains.create({ domain: 'shop.example.com', certificateId: shopCert } as Parameters<
    Ngrok['reservedDomains']['create']
  >[0]);
  await ngrok.reservedDomains.create({ domain: '*.example.net', certificateId: wildCert } as Parameters<
    Ngrok['reservedDomains']['create']
  >[0]);
  await reserve(ngrok, 'plain.example.org', 'app.edge.test');
  for (const host of ['shop.example.com', '*.example.net', 'plain.example.org', 'app.edge.test']) {
    await httpsEdge(ngrok, [`${host}:443`], [{ backendId: await httpResponseBackend(ngrok, `hello ${host}`) }]);
  }
  await edge.snapshots.settled();
  await edge.certificates.settled();

  const expected: Array<[string, string, string]> = [
    ['shop.example.com', 'shop uploaded', root.certPem],
    ['x.b.example.net', 'wildcard uploaded', root.certPem],
    ['app.edge.test', 'edge.test', edge.caPem],
    ['plain.example.org', 'plain.example.org', edge.caPem],
  ];
  for (const [name, cn, ca] of expected) {
    const node = await nodeHandshake(port, name, { ca });
    assert.ok(node.ok, `${name}: ${JSON.stringify(node)}`);
    assert.equal(commonNameOf(node.subject), cn, `node sees ${name}`);
    const openssl = await opensslHandshake(port, name);
    assert.ok(openssl.ok, `${name}: ${JSON.stringify(openssl)}`);
    assert.equal(openssl.fingerprint, node.fingerprint, `openssl sees the same certificate for ${name}`);
    const viaCurl = await curl(dir, port, name, ca);
    assert.deepEqual(
      viaCurl,
      { status: 200, body: `hello ${name === 'x.b.example.net' ? '*.example.net' : name}` },
      `curl ${name}`,
    );
  }
  // Trusting only the upload root, the edge's own certificates fail verification: the choice is real.
  assert.equal(((await curl(dir, port, 'app.edge.test', root.certPem)) as { exit: number }).exit, 60);

  // Replacing the certificate through the API changes what the next handshakes see.
  const before = await nodeHandshake(port, 'shop.example.com');
  const shopCert2 = await upload(ngrok, root, 'shop replaced', ['shop.example.com']);
  const shop = (await ngrok.reservedDomains.list()).find((d) => d.domain === 'shop.example.com')!;
  await ngrok.reservedDomains.update({ id: shop.id, certificateId: shopCert2 });
  const after = await eventually(
    async () => {
      const h = await nodeHandshake(port, 'shop.example.com', { ca: root.certPem });
      return h.ok && commonNameOf(h.subject) === 'shop replaced' ? h.fingerprint : undefined;
    },
    5000,
    'the replaced certificate',
  );
  assert.ok(before.ok && before.fingerprint !== after);
  assert.deepEqual(await curl(dir, port, 'shop.example.com', root.certPem), {
    status: 200,
    body: 'hello shop.example.com',
  });
});
