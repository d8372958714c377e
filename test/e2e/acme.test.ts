/**
 * Automatic certificates against a real ACME CA: Debian's pebble validates the edge's own
 * HTTP-01 and TLS-ALPN-01 responders on its public ports; the results are checked through the
 * API, with openssl against pebble's root, and with a TLS client on the public port.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import tls from 'node:tls';
import { promisify } from 'node:util';
import type { AcmeConfig } from '../../src/edge/tls/acme/config.ts';
import { apiFetch } from '../support/api.ts';
import { startTestEdge, tempDir, type TestEdge } from '../support/edge.ts';
import { pebbleMissing, preparePebble, type Pebble, type PebbleStartOptions } from '../support/pebble.ts';
import { scrapeMetrics, type Scrape } from '../support/metrics.ts';
import { eventually } from '../support/services.ts';

const run = promisify(execFile);

async function startAcmeStack(
  t: TestContext,
  acme: Partial<AcmeConfig> = {},
  pebbleOptions: Partial<PebbleStartOptions> = {},
): Promise<{ edge: TestEdge; pebble: Pebble }> {
  const pebble = await preparePebble(t);
  const edge = await startTestEdge(t, {
    config: { acme: { directoryUrl: pebble.directoryUrl, caCertPem: pebble.caCertPem, ...acme } },
  });
  await pebble.start({ httpPort: edge.ports.http, tlsPort: edge.ports.https, ...pebbleOptions });
  return { edge, pebble };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the API's JSON, read freely.
type Body = Record<string, any>;

async function reserve(edge: TestEdge, domain: string, privateKeyType = 'ecdsa'): Promise<Body> {
  const res = await apiFetch(edge, 'POST', '/reserved_domains', {
    domain,
    certificate_management_policy: { authority: 'letsencrypt', private_key_type: privateKeyType },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body;
}

/** Polls the reserved domain until `check` accepts it; returns it. */
async function domainWhen(
  edge: TestEdge,
  id: string,
  check: (d: Body) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<Body> {
  return eventually(
    async () => {
      const res = await apiFetch(edge, 'GET', `/reserved_domains/${id}`);
      return check(res.body) ? res.body : undefined;
    },
    timeoutMs,
    what,
  ) as Promise<Body>;
}

const issued = (d: Body) =>
  !!d.certificate &&
  !!d.certificate_management_status?.renews_at &&
  d.certificate_management_status.provisioning_job === null;

async function certificateOf(edge: TestEdge, domain: Body): Promise<Body> {
  const res = await apiFetch(edge, 'GET', `/tls_certificates/${domain.certificate.id}`);
  assert.equal(res.status, 200);
  return res.body;
}

/** `openssl verify` of the issued bundle (leaf + intermediates) against pebble's root. */
async function verifyWithOpenssl(t: TestContext, bundlePem: string, rootPem: string): Promise<void> {
  const dir = await tempDir(t);
  const certs = bundlePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)!;
  assert.ok(certs.length >= 2, 'leaf and intermediate');
  await writeFile(join(dir, 'root.pem'), rootPem);
  await writeFile(join(dir, 'leaf.pem'), certs[0]!);
  await writeFile(join(dir, 'chain.pem'), certs.slice(1).join(''));
  const { stdout } = await run('openssl', [
    'verify',
    '-CAfile',
    join(dir, 'root.pem'),
    '-untrusted',
    join(dir, 'chain.pem'),
    join(dir, 'leaf.pem'),
  ]);
  assert.match(stdout, /leaf\.pem: OK/);
}

/** The leaf a TLS client sees on the edge's public port for `servername`, verified against `ca`. */
function servedLeaf(edge: TestEdge, servername: string, ca: string): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: edge.ports.https, servername, ca }, () => {
      resolve(socket.getPeerCertificate());
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

test(
  'HTTP-01: issues, attaches, lists and serves a certificate that chains to the CA root',
  { skip: pebbleMissing },
  async (t) => {
    const { edge, pebble } = await startAcmeStack(t, { challengeTypes: ['http-01'] });
    const created = await reserve(edge, 'app.acme.test');
    const domain = await domainWhen(edge, created.id, issued, 'an issued certificate');
    assert.equal(domain.certificate_management_policy.private_key_type, 'ecdsa');
    assert.ok(Date.parse(domain.certificate_management_status.renews_at) > Date.now());

    const cert = await certificateOf(edge, domain);
    assert.match(domain.certificate.uri, new RegExp(`/tls_certificates/${cert.id}$`));
    assert.deepEqual(cert.subject_alternative_names.dns_names, ['app.acme.test']);
    assert.equal(cert.private_key_type, 'ecdsa');
    assert.ok(cert.issued_at, 'issued_at is set for issued certificates');
    const list = await apiFetch(edge, 'GET', '/tls_certificates');
    assert.ok(
      (list.body.tls_certificates as Body[]).some((c) => c.id === cert.id),
      'listed under /tls_certificates',
    );

    const root = await pebble.rootPem();
    await verifyWithOpenssl(t, cert.certificate_pem, root);
    const leaf = new X509Certificate(cert.certificate_pem);
    const served = await eventually(
      () => servedLeaf(edge, 'app.acme.test', root),
      5_000,
      'the issued certificate on the public port',
    );
    assert.equal(served.fingerprint256, leaf.fingerprint256);
    assert.match(
      pebble.log(),
      /Attempting to validate w\/ HTTP: http:\/\/app\.acme\.test:\d+\/\.well-known\/acme-challenge\//,
    );
  },
);

test('TLS-ALPN-01: issues an RSA certificate through the HTTPS port', { skip: pebbleMissing }, async (t) => {
  const { edge, pebble } = await startAcmeStack(t, { challengeTypes: ['tls-alpn-01'] });
  const created = await reserve(edge, 'alpn.acme.test', 'rsa');
  const domain = await domainWhen(edge, created.id, issued, 'an issued certificate');
  const cert = await certificateOf(edge, domain);
  assert.equal(cert.private_key_type, 'rsa');
  assert.deepEqual(cert.subject_alternative_names.dns_names, ['alpn.acme.test']);
  const root = await pebble.rootPem();
  await verifyWithOpenssl(t, cert.certificate_pem, root);
  const served = await eventually(
    () => servedLeaf(edge, 'alpn.acme.test', root),
    5_000,
    'the issued certificate on the public port',
  );
  assert.equal(served.fingerprint256, new X509Certificate(cert.certificate_pem).fingerprint256);
  // Pebble logs HTTP-01 attempts only; DNS-01 has no TXT record to find: TLS-ALPN-01 it was.
  assert.doesNotMatch(pebble.log(), /Attempting to validate w\/ HTTP/);
  // /metrics: the order, the managed domain, and when its certificate expires.
  const notAfter = Date.parse(new X509Certificate(cert.certificate_pem).validTo) / 1000;
  const metrics = await eventually<Scrape | undefined>(async () => {
    const s = await scrapeMetrics(`http://127.0.0.1:${edge.ports.api}/metrics`);
    return s.value('portico_certificate_expiry_timestamp_seconds', { domain: 'alpn.acme.test' }) === notAfter
      ? s
      : undefined;
  });
  assert.equal(metrics!.value('portico_acme_orders_total', { result: 'issued' }), 1);
  assert.equal(metrics!.value('portico_acme_domains'), 1);
  assert.equal(metrics!.value('portico_acme_domains_failing'), 0);
});

test(
  'a changed policy is picked up without a restart: a new key type gets a new certificate',
  { skip: pebbleMissing },
  async (t) => {
    const { edge } = await startAcmeStack(t, { challengeTypes: ['http-01'] });
    const created = await reserve(edge, 'switch.acme.test', 'ecdsa');
    const first = await domainWhen(edge, created.id, issued, 'the ECDSA certificate');
    const patched = await apiFetch(edge, 'PATCH', `/reserved_domains/${created.id}`, {
      certificate_management_policy: { authority: 'letsencrypt', private_key_type: 'rsa' },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const second = await domainWhen(
      edge,
      created.id,
      (d) => issued(d) && d.certificate.id !== first.certificate.id,
      'the RSA certificate',
    );
    assert.equal((await certificateOf(edge, second)).private_key_type, 'rsa');
  },
);

test('after a restart the edge keeps its certificate and orders nothing new', { skip: pebbleMissing }, async (t) => {
  const { edge, pebble } = await startAcmeStack(t, { challengeTypes: ['http-01'] });
  const created = await reserve(edge, 'keep.acme.test');
  const first = await domainWhen(edge, created.id, issued, 'the certificate');
  await edge.close();
  const orders = (pebble.log().match(/POST \/order-plz/g) ?? []).length;
  const again = await startTestEdge(t, {
    dataDir: edge.dataDir,
    config: { acme: { directoryUrl: pebble.directoryUrl, caCertPem: pebble.caCertPem } },
  });
  await new Promise((r) => setTimeout(r, 1_000));
  const after = await apiFetch(again, 'GET', `/reserved_domains/${created.id}`);
  assert.equal((after.body as Body).certificate.id, first.certificate.id);
  assert.deepEqual(after.body.certificate_management_status, first.certificate_management_status);
  assert.equal((pebble.log().match(/POST \/order-plz/g) ?? []).length, orders);
});

test('renews before expiry: a new certificate replaces the old one', { skip: pebbleMissing }, async (t) => {
  // Certificates valid for an hour, renewed when less than an hour minus 5 s is left.
  const { edge, pebble } = await startAcmeStack(
    t,
    { challengeTypes: ['http-01'], renewBeforeMs: 3_600_000 - 5_000 },
    { validitySeconds: 3_600 },
  );
  const created = await reserve(edge, 'renew.acme.test');
  const first = await domainWhen(edge, created.id, issued, 'the first certificate');
  const firstFingerprint = new X509Certificate((await certificateOf(edge, first)).certificate_pem).fingerprint256;
  const second = await domainWhen(
    edge,
    created.id,
    (d) => issued(d) && d.certificate.id !== first.certificate.id,
    'a renewed certificate',
    30_000,
  );
  assert.ok(
    Date.parse(second.certificate_management_status.renews_at) >
      Date.parse(first.certificate_management_status.renews_at),
  );
  const old = await apiFetch(edge, 'GET', `/tls_certificates/${first.certificate.id}`);
  assert.equal(old.status, 404, 'the replaced certificate is deleted');
  // The public port follows without a restart: it serves a renewed certificate, not the first one.
  const root = await pebble.rootPem();
  const served = await eventually(
    async () => {
      const leaf = await servedLeaf(edge, 'renew.acme.test', root);
      return leaf.fingerprint256 !== firstFingerprint && leaf;
    },
    5_000,
    'a renewed certificate on the public port',
  );
  assert.ok(served);
});

test('a failing challenge shows in the status and is retried until it succeeds', { skip: pebbleMissing }, async (t) => {
  const { edge, pebble } = await startAcmeStack(t, {
    challengeTypes: ['http-01'],
    retryBaseMs: 300,
    retryMaxMs: 1_000,
  });
  // The CA resolves the name to an address where nothing listens, so validation fails.
  await pebble.addA('broken.acme.test', ['127.0.0.2']);
  const created = await reserve(edge, 'broken.acme.test');
  const failed = await domainWhen(
    edge,
    created.id,
    (d) => !!d.certificate_management_status?.provisioning_job?.error_code,
    'a failed attempt',
  );
  const job = failed.certificate_management_status.provisioning_job;
  assert.equal(job.error_code, 'ERR_ACME_CHALLENGE_FAILED');
  assert.match(job.msg, /broken\.acme\.test/);
  assert.ok(job.retries_at && job.started_at, JSON.stringify(job));
  assert.equal(failed.certificate, null);
  const retried = await domainWhen(
    edge,
    created.id,
    (d) => {
      const next = d.certificate_management_status?.provisioning_job;
      return !!next?.error_code && next.started_at !== job.started_at;
    },
    'a second failed attempt',
  );
  assert.ok(
    Date.parse(retried.certificate_management_status.provisioning_job.started_at) >= Date.parse(job.retries_at) - 1_000,
  );

  await pebble.clearA('broken.acme.test');
  await domainWhen(edge, created.id, issued, 'a certificate once the name resolves to the edge', 20_000);
});

test('a wildcard with a policy reports that it needs DNS-01', { skip: pebbleMissing }, async (t) => {
  const { edge } = await startAcmeStack(t);
  const created = await reserve(edge, '*.wild.acme.test');
  const domain = await domainWhen(
    edge,
    created.id,
    (d) => !!d.certificate_management_status?.provisioning_job,
    'the wildcard status',
  );
  const job = domain.certificate_management_status.provisioning_job;
  assert.equal(job.error_code, 'ERR_ACME_WILDCARD_NEEDS_DNS');
  assert.match(job.msg, /DNS-01/);
  assert.equal(job.retries_at, null);
});
