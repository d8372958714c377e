import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { makeTestPki, type LeafKeyKind, type TestPki } from '../support/openssl-pki.ts';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';

type ApiErr = { errorCode?: string; statusCode?: number; msg?: string };

let pki: TestPki;
before(async () => {
  pki = await makeTestPki();
});

test('TLS certificates through @ngrok/ngrok-api: every key format, parsed fields, paging, update, delete', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const types: Record<LeafKeyKind, string> = {
    'rsa-pkcs1': 'rsa',
    'rsa-pkcs8': 'rsa',
    'ec-sec1': 'ecdsa',
    'ec-pkcs8': 'ecdsa',
    ed25519: 'ed25519',
  };
  const created = [];
  for (const [kind, leaf] of Object.entries(pki.leaves) as Array<[LeafKeyKind, TestPki['leaves'][LeafKeyKind]]>) {
    const cert = await ngrok.tlsCertificates.create({
      certificatePem: leaf.certPem + pki.interPem,
      privateKeyPem: leaf.keyPem,
      description: kind,
    });
    assert.match(cert.id, /^cert_[0-9a-z]{27}$/);
    assert.equal(cert.privateKeyType, types[kind], kind);
    created.push(cert);
  }
  const cert = created[0]!;
  assert.equal(cert.uri, `${edge.bootstrap.api_url}/tls_certificates/${cert.id}`);
  assert.equal(cert.subjectCommonName, 'app.example.test');
  assert.deepEqual(cert.subjectAlternativeNames, {
    dnsNames: ['app.example.test', '*.app.example.test'],
    ips: ['127.0.0.1', '2001:db8::1'],
  });
  assert.deepEqual(cert.keyUsages, ['digital_signature', 'key_encipherment']);
  assert.deepEqual(cert.extendedKeyUsages, ['server_auth', 'client_auth']);
  assert.equal(cert.issuerCommonName, 'Portico Test Intermediate');
  assert.equal(cert.serialNumber, 'ab12');
  assert.equal(cert.subjectOrganization, 'Portico Test');
  assert.equal(cert.subjectOrganizationalUnit, 'Edge');
  assert.equal(cert.subjectLocality, 'Berlin');
  assert.equal(cert.subjectProvince, 'Berlin');
  assert.equal(cert.subjectCountry, 'DE');
  assert.equal(cert.issuedAt, null);
  assert.match(String(cert.notBefore), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(cert.certificatePem, pki.leaves['rsa-pkcs1'].certPem + pki.interPem);
  const raw = await apiFetch(edge, 'GET', `/tls_certificates/${cert.id}`);
  assert.equal(JSON.stringify(raw.body).includes('PRIVATE KEY'), false);
  assert.equal('private_key_pem' in raw.body || 'private_key_encrypted' in raw.body, false);
  assert.deepEqual(await ngrok.tlsCertificates.get(cert.id), cert);

  // The key is encrypted at rest: no line of any key's PEM body is in the stored rows, nor in
  // the SQLite files (main and WAL) when the edge runs on SQLite.
  const files = (await readdir(edge.dataDir)).filter((f) => f.startsWith('portico.db'));
  const rows = await edge.store.db.selectFrom('resources').select('doc').execute();
  const db =
    (await Promise.all(files.map((f) => readFile(join(edge.dataDir, f), 'latin1')))).join('') +
    rows.map((r) => r.doc).join('');
  assert.ok(db.includes(pki.leaves.ed25519.certPem.split('\n')[1]!), 'the certificate itself is stored');
  for (const leaf of Object.values(pki.leaves)) assert.equal(db.includes(leaf.keyPem.split('\n')[1]!), false);

  const listed = await ngrok.tlsCertificates.list(undefined, '2');
  assert.deepEqual(
    listed.map((c) => c.id),
    created.map((c) => c.id).reverse(),
  );
  const updated = await ngrok.tlsCertificates.update({ id: cert.id, description: 'renamed', metadata: 'm' });
  assert.equal(updated.description, 'renamed');
  assert.equal(updated.metadata, 'm');
  assert.equal(updated.certificatePem, cert.certificatePem);

  // In use by a reserved domain: refused until the domain lets go of it.
  const rd = await ngrok.reservedDomains.create({
    domain: 'app.example.test',
    region: 'local',
    certificateId: cert.id,
  });
  assert.equal(rd.certificate?.id, cert.id);
  assert.equal(rd.certificate?.uri, cert.uri);
  await assert.rejects(
    ngrok.tlsCertificates.delete(cert.id),
    (e: ApiErr) => e.errorCode === 'ERR_NGROK_27615' && /rd_/.test(e.msg ?? ''),
  );
  // Switching the domain to a managed policy drops the uploaded certificate.
  const switched = await ngrok.reservedDomains.update({
    id: rd.id,
    certificateManagementPolicy: { authority: 'letsencrypt', privateKeyType: 'ecdsa' },
  });
  assert.equal(switched.certificate, null);
  assert.equal(
    (await ngrok.reservedDomains.update({ id: rd.id, certificateId: created[1]!.id })).certificateManagementPolicy,
    null,
  );
  assert.deepEqual(await ngrok.reservedDomains.deleteCertificate(rd.id), {});
  for (const c of created) assert.deepEqual(await ngrok.tlsCertificates.delete(c.id), {});
  assert.deepEqual(await ngrok.tlsCertificates.list(), []);
});

test('TLS certificate uploads: each bad bundle or key has its own code and message; isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const leaf = pki.leaves['ec-sec1'];
  const upload = (certificate_pem: string, private_key_pem: string, apiKey?: string) =>
    apiFetch(edge, 'POST', '/tls_certificates', { certificate_pem, private_key_pem }, apiKey);
  const cases: Array<[string, string, string, RegExp]> = [
    ['garbage', 'not pem', leaf.keyPem, /certificate_pem: contains no PEM certificate/],
    ['reversed', pki.interPem + leaf.certPem, leaf.keyPem, /reverse order/],
    [
      'misordered',
      leaf.certPem + pki.rootPem + pki.interPem,
      leaf.keyPem,
      /issued by certificate 2, not by the next one \(1\)/,
    ],
    ['missing intermediate', leaf.certPem + pki.rootPem, leaf.keyPem, /missing intermediate/],
    ['encrypted pkcs8', leaf.certPem, pki.encryptedPkcs8, /encrypted.*openssl pkey -in key\.pem -out plain\.pem/],
    ['encrypted traditional', leaf.certPem, pki.encryptedEcTraditional, /encrypted/],
    ['mismatch', leaf.certPem, pki.leaves['rsa-pkcs8'].keyPem, /does not belong to the leaf/],
    ['unsupported', leaf.certPem, pki.ed448Key, /ed448 keys are not supported/],
    ['no key', leaf.certPem, 'x', /private_key_pem: contains no PEM private key/],
  ];
  const codes: Record<string, string> = {
    garbage: 'ERR_CERT_PEM_INVALID',
    reversed: 'ERR_CERT_CHAIN_ORDER',
    misordered: 'ERR_CERT_CHAIN_ORDER',
    'missing intermediate': 'ERR_CERT_CHAIN_INCOMPLETE',
    'encrypted pkcs8': 'ERR_NGROK_1902',
    'encrypted traditional': 'ERR_NGROK_1902',
    mismatch: 'ERR_NGROK_1923',
    unsupported: 'ERR_NGROK_1903',
    'no key': 'ERR_CERT_KEY_INVALID',
  };
  for (const [name, certPem, keyPem, message] of cases) {
    const res = await upload(certPem, keyPem);
    assert.equal(res.status, 400, name);
    assert.equal(res.body.error_code, codes[name], name);
    assert.match(String(res.body.msg), message, name);
  }
  await assert.rejects(
    ngrok.tlsCertificates.create({ certificatePem: leaf.certPem, privateKeyPem: pki.encryptedRsaTraditional }),
    (e: ApiErr) => e.errorCode === 'ERR_NGROK_1902',
  );
  assert.equal(
    (await apiFetch(edge, 'POST', '/tls_certificates', { certificate_pem: leaf.certPem })).body.error_code,
    'ERR_NGROK_215',
  );
  await assert.rejects(
    ngrok.tlsCertificates.get('cert_00000000000000000000000000'),
    (e: ApiErr) => e.statusCode === 404,
  );

  const mine = await ngrok.tlsCertificates.create({ certificatePem: leaf.certPem, privateKeyPem: leaf.keyPem });
  const other = await otherAccount(edge);
  assert.deepEqual(
    (await apiFetch(edge, 'GET', '/tls_certificates', undefined, other.apiKey)).body.tls_certificates,
    [],
  );
  for (const method of ['GET', 'PATCH', 'DELETE'])
    assert.equal(
      (await apiFetch(edge, method, `/tls_certificates/${mine.id}`, method === 'PATCH' ? {} : undefined, other.apiKey))
        .status,
      404,
    );
  // Another account cannot attach our certificate to its domain.
  const foreign = await apiFetch(
    edge,
    'POST',
    '/reserved_domains',
    { domain: 'theirs.example.test', certificate_id: mine.id },
    other.apiKey,
  );
  assert.equal(foreign.body.error_code, 'ERR_NGROK_1965');
  assert.equal((await upload(leaf.certPem, leaf.keyPem, other.apiKey)).status, 201);
});
