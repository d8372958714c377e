import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tlsCertificateDoc } from '../../config/documents/tls-certificate-from-pem.ts';
import { silentLogger } from '../../log/logger.ts';
import { openStore } from '../../store/store.ts';
import { ReservedDomainCertificates } from './reserved-domain-certificates.ts';
import { issueTestCert, makeTestCa } from '../../../test/support/x509-pki.ts';

test('resolves the exact reservation, then the most specific covering wildcard, and follows the store', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-sni-'));
  const store = await openStore({ dataDir: dir });
  t.after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const key = Buffer.alloc(32, 7);
  const acct = (await store.accounts.create('sni')).id;
  const ca = await makeTestCa('SNI Test Root');
  const certOf = async (dnsNames: string[]) => {
    const pem = await issueTestCert(ca, { commonName: dnsNames[0]!, dnsNames, usage: 'server' });
    const doc = tlsCertificateDoc(key, acct, { certificate_pem: pem.certPem, private_key_pem: pem.keyPem });
    return { record: await store.resources.create(acct, 'tls_certificate', 'cert', doc), pem };
  };
  const domain = (name: string, certificateId: string | null) =>
    store.resources.create(acct, 'reserved_domain', 'rd', { domain: name, certificate_id: certificateId }, name);

  const exact = await certOf(['app.example.com']);
  const wide = await certOf(['*.example.com']);
  const deep = await certOf(['*.b.example.com']);
  await domain('app.example.com', exact.record.id);
  await domain('*.example.com', wide.record.id);
  const deepDomain = await domain('*.b.example.com', deep.record.id);
  await domain('bare.example.com', null);

  const certs = new ReservedDomainCertificates(store, key, silentLogger);
  await certs.start();
  t.after(() => certs.stop());
  assert.equal(certs.resolve('app.example.com')?.certPem.trim(), exact.pem.certPem.trim());
  assert.equal(certs.resolve('app.example.com')?.keyPem, exact.pem.keyPem, 'the key is decrypted');
  assert.equal(certs.resolve('x.b.example.com')?.certPem.trim(), deep.pem.certPem.trim(), 'most specific wildcard');
  assert.equal(
    certs.resolve('bare.example.com')?.certPem.trim(),
    wide.pem.certPem.trim(),
    'a reservation without a certificate falls to the wildcard',
  );
  assert.equal(certs.resolve('a.c.example.com'), undefined, "*.example.com's certificate does not cover two labels");
  assert.equal(certs.resolve('example.org'), undefined);

  const first = certs.resolve('app.example.com');
  await store.resources.update(acct, 'reserved_domain', deepDomain.id, {
    domain: '*.b.example.com',
    certificate_id: null,
  });
  await certs.settled();
  assert.equal(
    certs.resolve('app.example.com'),
    first,
    'an unchanged certificate keeps its object (and cached contexts)',
  );
  assert.equal(certs.resolve('x.b.example.com'), undefined, 'detached');
});
