/**
 * The certificate of the agent ingress: the names and addresses agents may dial the edge by,
 * issued by the local CA and kept in the data directory. A start reuses the one kept there
 * while the same CA issued it, it covers every name and it has more than 30 days left, so a
 * restart signs nothing and loads no certificate tooling before agents can reconnect.
 */
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { issueLeafCertificate, type LeafNames, type Pem } from './local-ca.ts';
import { readPemPair, writePemPair } from './pem-files.ts';

/** A kept certificate is replaced once it has fewer than this many milliseconds left (30 days). */
const RENEW_BEFORE_MS = 30 * 86_400_000;

/** The agent certificate for `names` from `certsDir`, issued and written there when the kept one will not do. */
export async function agentCertificate(ca: Pem, names: LeafNames, certsDir: string): Promise<Pem> {
  const certPath = join(certsDir, 'agent.pem');
  const keyPath = join(certsDir, 'agent-key.pem');
  const kept = await readPemPair(certPath, keyPath);
  if (kept && stillServes(kept, ca, names)) return kept;
  const issued = await issueLeafCertificate(ca, names);
  await writePemPair(certPath, keyPath, issued);
  return issued;
}

function stillServes(kept: Pem, ca: Pem, names: LeafNames): boolean {
  try {
    const cert = new X509Certificate(kept.certPem);
    const caCert = new X509Certificate(ca.certPem);
    if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) return false;
    if (Date.parse(cert.validTo) - Date.now() < RENEW_BEFORE_MS) return false;
    const san = new Set((cert.subjectAltName ?? '').split(', '));
    return (
      names.dnsNames.every((n) => san.has(`DNS:${n}`)) &&
      (names.ipAddresses ?? []).every((ip) => san.has(`IP Address:${ip}`) || san.has(`IP Address:${expandIpv6(ip)}`))
    );
  } catch {
    return false;
  }
}

/** `::1` as Node's subjectAltName spells IPv6 addresses (`0:0:0:0:0:0:0:1`). */
function expandIpv6(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups: string[] = ip.includes('::')
    ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
    : ip.split(':');
  return groups.map((g) => g.replace(/^0+(?=.)/, '').toUpperCase()).join(':');
}
