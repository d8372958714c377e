/**
 * The edge's ACME account: one key kept in the data directory (`<data-dir>/acme/account-key.pem`,
 * ECDSA P-256, mode 0600), and the client that talks to the configured directory.
 */
import * as acme from 'acme-client';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { dirname } from 'node:path';
import tls from 'node:tls';

/** Reads the account key, or creates and writes one on first use. */
export async function loadOrCreateAccountKey(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = (await acme.crypto.createPrivateEcdsaKey('P-256')).toString();
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, key, { mode: 0o600, flag: 'wx' }).catch(async (err: NodeJS.ErrnoException) => {
    // Another edge on the same data dir wrote it first: use theirs.
    if (err.code !== 'EEXIST') throw err;
  });
  return readFile(path, 'utf8');
}

// acme-client sends every request through one shared axios instance, so extra trust is
// process-wide: each edge adds its CA to the set, on top of the system roots.
const extraCas = new Set<string>();

/** Makes acme-client trust `caPem` (PEM, one or more certificates) in addition to the system roots. */
export function trustAcmeServer(caPem: string): void {
  if (extraCas.has(caPem)) return;
  extraCas.add(caPem);
  acme.axios.defaults.httpsAgent = new https.Agent({ ca: [...tls.rootCertificates, ...extraCas] });
}

export interface AcmeClientOptions {
  directoryUrl: string;
  accountKey: string;
}

/** A client for the directory; short polling backoff so validations finish within seconds. */
export function createAcmeClient(options: AcmeClientOptions): acme.Client {
  return new acme.Client({
    directoryUrl: options.directoryUrl,
    accountKey: options.accountKey,
    backoffAttempts: 10,
    backoffMin: 250,
    backoffMax: 5_000,
  });
}
