import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueLeafCertificate, loadOrCreateLocalCa } from './local-ca.ts';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-ca-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8' });
}

test('creates a CA once, with a private key file, and reloads the same CA', async (t) => {
  const dir = join(await tempDir(t), 'nested', 'ca');
  const ca = await loadOrCreateLocalCa(dir);
  assert.equal((await stat(join(dir, 'ca-key.pem'))).mode & 0o777, 0o600);
  assert.deepEqual(await loadOrCreateLocalCa(dir), ca);
  const text = openssl('x509', '-in', join(dir, 'ca.pem'), '-noout', '-text');
  assert.match(text, /Subject: CN ?= ?Portico Local CA/);
  assert.match(text, /Basic Constraints: critical\s+CA:TRUE/);
  assert.match(text, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
  assert.match(text, /Subject Key Identifier/);
  assert.match(text, /ASN1 OID: prime256v1/);
  const cert = new X509Certificate(ca.certPem);
  const years = (Date.parse(cert.validTo) - Date.now()) / (365 * 86_400_000);
  assert.ok(years > 9.9 && years < 10.1, `valid for ${years} years`);
});

test('refuses a CA whose key does not match or is missing', async (t) => {
  const dir = await tempDir(t);
  const other = await loadOrCreateLocalCa(join(dir, 'other'));
  await loadOrCreateLocalCa(dir);
  await writeFile(join(dir, 'ca-key.pem'), other.keyPem);
  await assert.rejects(loadOrCreateLocalCa(dir), { code: 'ERR_TLS_CA_INVALID' });
  await rm(join(dir, 'ca-key.pem'));
  await assert.rejects(loadOrCreateLocalCa(dir), { code: 'ERR_TLS_CA_INVALID' }, 'half a CA is not replaced');
});

test('issues a leaf that openssl verifies, CA:FALSE with every SAN', async (t) => {
  const dir = await tempDir(t);
  const ca = await loadOrCreateLocalCa(dir);
  const leaf = await issueLeafCertificate(ca, {
    dnsNames: ['app.edge.test', '*.edge.test'],
    ipAddresses: ['127.0.0.1', '::1'],
  });
  const leafPath = join(dir, 'leaf.pem');
  await writeFile(leafPath, leaf.certPem);
  assert.match(openssl('verify', '-CAfile', join(dir, 'ca.pem'), leafPath), /leaf\.pem: OK/);
  const text = openssl('x509', '-in', leafPath, '-noout', '-text');
  assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text, /Digital Signature/);
  assert.match(text, /Extended Key Usage:\s+TLS Web Server Authentication/);
  assert.match(text, /DNS:app\.edge\.test, DNS:\*\.edge\.test, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
  assert.match(text, /Subject: CN ?= ?app\.edge\.test/);
  assert.match(leaf.keyPem, /^-----BEGIN PRIVATE KEY-----/);
  const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(
    openssl('x509', '-in', join(dir, 'ca.pem'), '-noout', '-text'),
  )![1];
  assert.match(text, new RegExp(`Authority Key Identifier:\\s+(keyid:)?${ski}`));
});

test('leaf validity starts a minute ago and lasts 397 days unless told', async (t) => {
  const ca = await loadOrCreateLocalCa(await tempDir(t));
  const def = new X509Certificate((await issueLeafCertificate(ca, { dnsNames: ['a.test'] })).certPem);
  const days = (Date.parse(def.validTo) - Date.parse(def.validFrom)) / 86_400_000;
  assert.ok(Math.abs(days - 397) < 0.01, `${days} days`);
  assert.ok(Date.parse(def.validFrom) <= Date.now() - 59_000);
  assert.equal(def.ca, false);
  assert.ok(/^[0-7]/.test(def.serialNumber), 'serial is positive');
  const short = await issueLeafCertificate(ca, { dnsNames: ['a.test'] }, { days: 7, commonName: 'Short' });
  const cert = new X509Certificate(short.certPem);
  assert.match(cert.subject, /CN=Short/);
  assert.ok((Date.parse(cert.validTo) - Date.now()) / 86_400_000 < 7.01);
});
