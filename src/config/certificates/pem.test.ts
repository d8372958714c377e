import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, test } from 'node:test';
import { caFields, certificateFields } from './certificate-fields.ts';
import { decryptSecret, deriveEncryptionKey, encryptSecret } from '../secrets/key-encryption.ts';
import { checkBundle, checkCaBundle, PemError, pemBlocks, type PemErrorCode } from './pem.ts';
import { makeTestPki, type LeafKeyKind, type TestPki } from '../../../test/support/openssl-pki.ts';

let pki: TestPki;
before(async () => {
  pki = await makeTestPki();
});

function refused(code: PemErrorCode, pattern: RegExp, fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => err instanceof PemError && err.code === code && pattern.test(err.message));
}

test('accepts RSA (PKCS#1, PKCS#8), ECDSA (SEC 1, PKCS#8) and Ed25519 keys with their chains', () => {
  const expected: Record<LeafKeyKind, string> = {
    'rsa-pkcs1': 'rsa',
    'rsa-pkcs8': 'rsa',
    'ec-sec1': 'ecdsa',
    'ec-pkcs8': 'ecdsa',
    ed25519: 'ed25519',
  };
  for (const [kind, leaf] of Object.entries(pki.leaves) as Array<[LeafKeyKind, TestPki['leaves'][LeafKeyKind]]>) {
    const bundle = checkBundle(leaf.certPem + pki.interPem + pki.rootPem, leaf.keyPem);
    assert.equal(bundle.keyType, expected[kind], kind);
    assert.equal(bundle.chain.length, 3);
    // Leaf alone and leaf + intermediate (no root) are fine too.
    assert.equal(checkBundle(leaf.certPem, leaf.keyPem).chain.length, 1);
    assert.equal(checkBundle(leaf.certPem + '\n# comment\n' + pki.interPem, leaf.keyPem).chain.length, 2);
  }
});

test('refuses encrypted keys, saying how to decrypt them', () => {
  const leaf = pki.leaves['ec-pkcs8'];
  for (const key of [pki.encryptedPkcs8, pki.encryptedRsaTraditional, pki.encryptedEcTraditional]) {
    refused('ERR_CERT_KEY_ENCRYPTED', /encrypted.*openssl pkey -in key\.pem -out plain\.pem/, () =>
      checkBundle(leaf.certPem, key),
    );
  }
});

test('refuses garbage, wrong order, missing intermediates, mismatched and unsupported keys', () => {
  const leaf = pki.leaves['ec-sec1'];
  refused('ERR_CERT_PEM_INVALID', /no PEM certificate/, () => checkBundle('hello', leaf.keyPem));
  refused('ERR_CERT_PEM_INVALID', /certificate 0 is not a valid X\.509/, () =>
    checkBundle('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', leaf.keyPem),
  );
  refused('ERR_CERT_PEM_INVALID', /private_key_pem/, () => checkBundle(leaf.certPem + leaf.keyPem, leaf.keyPem));
  refused('ERR_CERT_CHAIN_ORDER', /certificate 0 .* issued by certificate 2, not by the next one \(1\)/, () =>
    checkBundle(leaf.certPem + pki.rootPem + pki.interPem, leaf.keyPem),
  );
  refused('ERR_CERT_CHAIN_ORDER', /certificate 1 is issued by certificate 0: the bundle is in reverse order/, () =>
    checkBundle(pki.interPem + leaf.certPem, leaf.keyPem),
  );
  refused('ERR_CERT_CHAIN_INCOMPLETE', /missing intermediate/, () =>
    checkBundle(leaf.certPem + pki.rootPem, leaf.keyPem),
  );
  refused('ERR_CERT_KEY_MISMATCH', /does not belong to the leaf/, () =>
    checkBundle(leaf.certPem, pki.leaves['ec-pkcs8'].keyPem),
  );
  refused('ERR_CERT_KEY_MISMATCH', /does not belong to the leaf/, () =>
    checkBundle(leaf.certPem, pki.leaves['rsa-pkcs1'].keyPem),
  );
  refused('ERR_CERT_KEY_UNSUPPORTED', /ed448/, () => checkBundle(leaf.certPem, pki.ed448Key));
  refused('ERR_CERT_KEY_INVALID', /no PEM private key/, () => checkBundle(leaf.certPem, 'nope'));
  refused('ERR_CERT_KEY_INVALID', /not a valid private key/, () =>
    checkBundle(leaf.certPem, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
  );
  refused('ERR_CERT_KEY_INVALID', /2 private keys/, () => checkBundle(leaf.certPem, leaf.keyPem + leaf.keyPem));
});

test('parses leaf fields as the API reports them', () => {
  const fields = certificateFields(new X509Certificate(pki.leaves['rsa-pkcs8'].certPem));
  assert.equal(fields.subject_common_name, 'app.example.test');
  assert.deepEqual(fields.subject_alternative_names, {
    dns_names: ['app.example.test', '*.app.example.test'],
    ips: ['127.0.0.1', '2001:db8::1'],
  });
  assert.deepEqual(fields.key_usages, ['digital_signature', 'key_encipherment']);
  assert.deepEqual(fields.extended_key_usages, ['server_auth', 'client_auth']);
  assert.equal(fields.issuer_common_name, 'Portico Test Intermediate');
  assert.equal(fields.serial_number, 'ab12');
  assert.deepEqual(
    [
      fields.subject_organization,
      fields.subject_organizational_unit,
      fields.subject_locality,
      fields.subject_province,
      fields.subject_country,
    ],
    ['Portico Test', 'Edge', 'Berlin', 'Berlin', 'DE'],
  );
  assert.match(fields.not_before, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(Date.parse(fields.not_after) - Date.parse(fields.not_before) >= 19 * 86_400_000);
  const ca = caFields(new X509Certificate(pki.rootPem));
  assert.equal(ca.subject_common_name, 'Portico Test Root');
  assert.deepEqual(ca.key_usages, ['cert_sign', 'crl_sign']);
});

test('CA bundles must hold only CA certificates', () => {
  assert.equal(checkCaBundle(pki.rootPem + pki.interPem).length, 2);
  refused('ERR_CERT_NOT_CA', /certificate 0 .* is not a CA/, () => checkCaBundle(pki.leaves.ed25519.certPem));
  refused('ERR_CERT_PEM_INVALID', /no PEM certificate/, () => checkCaBundle('garbage'));
});

test('pemBlocks reads labels and RFC 1421 headers', () => {
  const [block] = pemBlocks(pki.encryptedRsaTraditional);
  assert.equal(block!.label, 'RSA PRIVATE KEY');
  assert.equal(block!.headers['proc-type'], '4,ENCRYPTED');
});

test('private keys are encrypted with AES-256-GCM bound to the account', () => {
  const key = deriveEncryptionKey(Buffer.alloc(32, 7), {});
  assert.equal(key.length, 32);
  assert.notDeepEqual(
    deriveEncryptionKey(Buffer.alloc(32, 7), { PORTICO_ENCRYPTION_KEY: 'from the environment' }),
    key,
  );
  assert.deepEqual(
    deriveEncryptionKey(Buffer.alloc(32), { PORTICO_ENCRYPTION_KEY: 'ab'.repeat(32) }),
    Buffer.from('ab'.repeat(32), 'hex'),
  );
  assert.throws(
    () => deriveEncryptionKey(Buffer.alloc(32), { PORTICO_ENCRYPTION_KEY: '  ' }),
    (err: Error & { code?: string }) => err.code === 'ERR_CONFIG_INVALID' && /set but blank/.test(err.message),
  );
  const stored = encryptSecret(key, 'PRIVATE', 'acct_1');
  assert.doesNotMatch(stored, /PRIVATE/);
  assert.equal(decryptSecret(key, stored, 'acct_1'), 'PRIVATE');
  assert.throws(() => decryptSecret(key, stored, 'acct_2'));
  assert.throws(() => decryptSecret(deriveEncryptionKey(Buffer.alloc(32, 8), {}), stored, 'acct_1'));
});
