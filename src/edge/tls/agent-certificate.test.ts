import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { agentCertificate } from './agent-certificate.ts';
import { loadOrCreateLocalCa } from './local-ca.ts';

test('the agent certificate is kept across starts, and issued anew for other names or another CA', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-agent-cert-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await loadOrCreateLocalCa(join(dir, 'ca'));
  const names = { dnsNames: ['localhost', 'edge.test'], ipAddresses: ['127.0.0.1', '::1'] };
  const first = await agentCertificate(ca, names, join(dir, 'certs'));
  assert.match(new X509Certificate(first.certPem).subjectAltName ?? '', /DNS:edge\.test.*IP Address:0:0:0:0:0:0:0:1/);
  assert.deepEqual(await agentCertificate(ca, names, join(dir, 'certs')), first, 'kept');

  const more = await agentCertificate(
    ca,
    { ...names, dnsNames: [...names.dnsNames, 'other.test'] },
    join(dir, 'certs'),
  );
  assert.notEqual(more.certPem, first.certPem, 'a new name: issued anew');
  assert.match(new X509Certificate(more.certPem).subjectAltName ?? '', /DNS:other\.test/);

  const otherCa = await loadOrCreateLocalCa(join(dir, 'ca2'));
  const reissued = await agentCertificate(otherCa, names, join(dir, 'certs'));
  assert.ok(
    new X509Certificate(reissued.certPem).checkIssued(new X509Certificate(otherCa.certPem)),
    'another CA: issued by it',
  );
});
