import assert from 'node:assert/strict';
import { test } from 'node:test';
import { issueLeafCertificate, loadOrCreateLocalCa, type Pem } from '../local-ca.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { renewsAt, retryDelay } from './schedule.ts';

const DAY = 86_400_000;

async function leaf(days: number): Promise<Pem> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-acme-'));
  try {
    return await issueLeafCertificate(await loadOrCreateLocalCa(dir), { dnsNames: ['a.example.test'] }, { days });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('renews a third of the lifetime before expiry, at most 30 days, or as configured', async () => {
  const short = await leaf(9);
  const notAfter = Date.parse(new X509Certificate(short.certPem).validTo);
  const notBefore = Date.parse(new X509Certificate(short.certPem).validFrom);
  assert.equal(renewsAt(short.certPem), notAfter - (notAfter - notBefore) / 3);
  const long = await leaf(397);
  assert.equal(renewsAt(long.certPem), Date.parse(new X509Certificate(long.certPem).validTo) - 30 * DAY);
  assert.equal(
    renewsAt(long.certPem, { renewBeforeMs: 1_000 }),
    Date.parse(new X509Certificate(long.certPem).validTo) - 1_000,
  );
});

test('retries back off exponentially from the base to the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 8, 20].map((n) => retryDelay(n)),
    [30_000, 60_000, 120_000, 240_000, 3_600_000, 3_600_000],
  );
  assert.deepEqual(
    [1, 2, 3].map((n) => retryDelay(n, { retryBaseMs: 100, retryMaxMs: 250 })),
    [100, 200, 250],
  );
});
