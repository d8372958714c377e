/** The local edge CA that `portico trust` installs: where it is found, and the names it is stored under. */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { bootstrapPath } from '../bootstrap/paths.ts';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';

export interface TrustedCa {
  /** The PEM file read. */
  path: string;
  /** Where the path came from: `--ca-cert`, `bootstrap.json` or the data directory. */
  from: string;
  pem: string;
  /** The certificate's subject common name. */
  name: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex. */
  fingerprint: string;
  /** A short id from the fingerprint (12 hex digits), so that CAs of different edges do not collide. */
  id: string;
}

/**
 * Finds the CA: `caCertPath` when given, else `ca_cert` in `<dataDir>/bootstrap.json`, else
 * `<dataDir>/ca/ca.pem`. Throws ERR_TRUST_CA when none is readable or it is not a CA.
 */
export async function findCa(dataDir: string, caCertPath?: string): Promise<TrustedCa> {
  const candidate = caCertPath ? { path: resolve(caCertPath), from: '--ca-cert' } : await fromDataDir(dataDir);
  let pem: string;
  try {
    pem = await readFile(candidate.path, 'utf8');
  } catch (err) {
    const hint = caCertPath
      ? ''
      : '; start `portico edge` once to create the local CA, or pass --ca-cert or --data-dir';
    throw new PorticoError(
      ErrorCode.ERR_TRUST_CA,
      `cannot read ${candidate.path} (${candidate.from}): ${(err as Error).message}${hint}`,
      { cause: err },
    );
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new PorticoError(ErrorCode.ERR_TRUST_CA, `${candidate.path} is not a PEM certificate`, { cause: err });
  }
  if (!cert.ca) throw new PorticoError(ErrorCode.ERR_TRUST_CA, `${candidate.path} is not a CA certificate`);
  const fingerprint = cert.fingerprint256;
  const name = /CN=([^\n]+)/.exec(cert.subject)?.[1] ?? cert.subject;
  return { ...candidate, pem, name, fingerprint, id: fingerprint.replace(/:/g, '').slice(0, 12).toLowerCase() };
}

async function fromDataDir(dataDir: string): Promise<{ path: string; from: string }> {
  const bootstrap = bootstrapPath(dataDir);
  try {
    const parsed = JSON.parse(await readFile(bootstrap, 'utf8')) as { ca_cert?: unknown };
    if (typeof parsed.ca_cert === 'string' && parsed.ca_cert) return { path: parsed.ca_cert, from: bootstrap };
  } catch {
    // No (readable) bootstrap.json: the CA's default place in the data directory.
  }
  return { path: join(dataDir, 'ca', 'ca.pem'), from: `the data directory ${dataDir}` };
}
