/** Reading and writing a certificate and its private key as a pair of PEM files. */
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Pem } from './local-ca.ts';

/** Mode of private key files: readable by the owner only. */
const KEY_MODE = 0o600;

/** The pair at `certPath`/`keyPath`, or undefined when either file is missing. */
export async function readPemPair(certPath: string, keyPath: string): Promise<Pem | undefined> {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { certPem, keyPem };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Writes the pair, creating parent folders; the key file gets mode 0600. */
export async function writePemPair(certPath: string, keyPath: string, pem: Pem): Promise<void> {
  await mkdir(dirname(certPath), { recursive: true });
  await mkdir(dirname(keyPath), { recursive: true });
  // Key first, then certificate: a reader that finds the certificate also finds its key.
  await writeAtomically(keyPath, pem.keyPem, KEY_MODE);
  await writeAtomically(certPath, pem.certPem, 0o644);
}

// Write-then-rename so a crash never leaves a half-written PEM that later fails to parse.
async function writeAtomically(path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data, { mode });
  await rename(tmp, path);
}
