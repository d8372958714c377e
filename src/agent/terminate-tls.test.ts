import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { issueLeafCertificate, loadOrCreateLocalCa } from '../edge/tls/local-ca.ts';
import type { Pem } from '../edge/tls/local-ca.ts';
import { isPorticoError } from '../errors/catalogue.ts';
import { readAgentConfig } from './config-file.ts';
import type { ListenSpec } from './listener.ts';
import {
  agentTlsContext,
  certificateWarning,
  checkTerminationSpec,
  publicUrl,
  readTerminateTls,
} from './terminate-tls.ts';
import { bindRequest } from './tunnel-messages.ts';
import { tunnelSpecs } from './tunnels.ts';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-agent-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

let pki: Promise<{ leaf: Pem; other: Pem }> | undefined;
/** One leaf for app.example.com and an unrelated one, issued once for the file. */
function certificates(): Promise<{ leaf: Pem; other: Pem }> {
  pki ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portico-agent-tls-ca-'));
    const ca = await loadOrCreateLocalCa(dir);
    const leaf = await issueLeafCertificate(ca, { dnsNames: ['app.example.com'] });
    const other = await issueLeafCertificate(ca, { dnsNames: ['other.example.com'] });
    await rm(dir, { recursive: true, force: true });
    return { leaf, other };
  })();
  return pki;
}

const code = (expected: string, detail: RegExp) => (err: unknown) =>
  isPorticoError(err) && err.code === expected && detail.test(err.message);

test('a matching certificate and key build a context', async () => {
  const { leaf } = await certificates();
  assert.ok(agentTlsContext({ cert: leaf.certPem, key: leaf.keyPem }));
});

test('bad pairs fail with ERR_AGENT_TLS_CERT_INVALID and say why', async () => {
  const { leaf, other } = await certificates();
  const encrypted = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'secret' },
  }).privateKey;
  const cases: Array<[string, string, RegExp]> = [
    [leaf.certPem, other.keyPem, /key does not match the certificate/],
    ['hello', leaf.keyPem, /not a PEM certificate/],
    ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', leaf.keyPem, /cannot be parsed/],
    [leaf.certPem, leaf.certPem, /not a PEM private key/],
    [leaf.certPem, encrypted, /encrypted/],
  ];
  for (const [cert, key, why] of cases)
    assert.throws(() => agentTlsContext({ cert, key }), code('ERR_AGENT_TLS_CERT_INVALID', why), String(why));
});

test('readTerminateTls: both files are required and must be readable', async (t) => {
  const { leaf } = await certificates();
  const dir = await tempDir(t);
  await writeFile(join(dir, 'cert.pem'), leaf.certPem);
  await writeFile(join(dir, 'key.pem'), leaf.keyPem);
  assert.deepEqual(readTerminateTls(join(dir, 'cert.pem'), join(dir, 'key.pem'), '--crt/--key'), {
    cert: leaf.certPem,
    key: leaf.keyPem,
  });
  assert.throws(
    () => readTerminateTls(join(dir, 'cert.pem'), undefined, '--crt/--key'),
    code('ERR_AGENT_TLS_CERT_INVALID', /both/),
  );
  assert.throws(
    () => readTerminateTls(join(dir, 'nope.pem'), join(dir, 'key.pem'), '--crt/--key'),
    code('ERR_AGENT_TLS_CERT_INVALID', /cannot read .*nope\.pem/),
  );
});

test('an http tunnel with agent termination binds as tls, and its URL is https://', async () => {
  const { leaf } = await certificates();
  const spec: ListenSpec = {
    proto: 'http',
    forwardsTo: 'http://localhost:3000',
    domain: 'app.example.com',
    terminateTls: { cert: leaf.certPem, key: leaf.keyPem },
  };
  const body = bindRequest(spec, '', undefined);
  assert.equal(body.Proto, 'tls');
  assert.deepEqual(body.Opts, {
    Domain: 'app.example.com',
    Hostname: '',
    Subdomain: '',
    ProxyProto: 0,
    MutualTLSAtAgent: false,
  });
  assert.equal(publicUrl(spec, 'tls://app.example.com:443'), 'https://app.example.com:443');
  assert.equal(publicUrl({ ...spec, proto: 'tls' }, 'tls://app.example.com:443'), 'tls://app.example.com:443');
  assert.equal(certificateWarning(spec, 'https://app.example.com:443'), undefined);
  const { domain: _, ...unnamed } = spec;
  assert.match(
    certificateWarning(unnamed, 'https://abcd.localhost:443') ?? '',
    /does not cover abcd\.localhost \(no --domain/,
  );
});

test('termination applies to http and tls endpoints only', async () => {
  const terminateTls = { cert: 'c', key: 'k' };
  assert.throws(
    () => checkTerminationSpec({ proto: 'tcp', forwardsTo: 'localhost:22', terminateTls }),
    code('ERR_AGENT_CONFIG', /http and tls/),
  );
  assert.throws(
    () => checkTerminationSpec({ forwardsTo: 'http://x:1', labels: { a: 'b' }, terminateTls }),
    code('ERR_AGENT_CONFIG', /http and tls/),
  );
  assert.throws(
    () => checkTerminationSpec({ proto: 'http', scheme: 'http', forwardsTo: 'http://x:1', terminateTls }),
    code('ERR_AGENT_CONFIG', /scheme/),
  );
  checkTerminationSpec({ proto: 'tls', forwardsTo: 'localhost:5432', terminateTls });
});

test('config file: crt and key paths are relative to the file and read at start', async (t) => {
  const { leaf } = await certificates();
  const dir = await tempDir(t);
  await writeFile(join(dir, 'db.pem'), leaf.certPem);
  await writeFile(join(dir, 'db-key.pem'), leaf.keyPem);
  const path = join(dir, 'portico.yml');
  await writeFile(
    path,
    'tunnels:\n  db:\n    proto: tls\n    addr: 5432\n    domain: app.example.com\n    crt: db.pem\n    key: db-key.pem\n  half:\n    addr: 1\n    crt: db.pem\n',
  );
  await assert.rejects(readAgentConfig(path), code('ERR_AGENT_CONFIG', /tunnels\.half: crt and key go together/));
  await writeFile(
    path,
    'tunnels:\n  db:\n    proto: tls\n    addr: 5432\n    domain: app.example.com\n    crt: db.pem\n    key: db-key.pem\n',
  );
  const config = await readAgentConfig(path);
  assert.equal(config.tunnels.db?.crt, join(dir, 'db.pem'));
  const [spec] = tunnelSpecs(config, ['db'], false);
  assert.deepEqual(spec?.terminateTls, { cert: leaf.certPem, key: leaf.keyPem });
});
