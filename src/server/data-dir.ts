/**
 * The data directory holds the store, private keys, the edge secret and the bootstrap
 * credentials, so only its owner may enter it: 0700, with those files 0600. A directory made
 * by an older version (0755, files 0644) is tightened when the edge starts.
 */
import { chmod, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Mode of the data directory and the folders in it. */
const DIR_MODE = 0o700;
/** Mode of secret files. */
const FILE_MODE = 0o600;
/** Files holding secrets: the SQLite store and its journals, keys, the edge secret, credentials. */
const SECRET_FILE = /^(portico\.db(-wal|-shm|-journal)?|edge-secret|bootstrap\.json|.*key.*\.pem)$/;

/** Creates `dataDir` (0700) if needed and tightens it, its folders and its secret files. */
export async function preparePrivateDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: DIR_MODE });
  await tighten(dataDir);
}

async function tighten(dir: string): Promise<void> {
  await chmodIfLooser(dir, DIR_MODE);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await tighten(path);
    else if (entry.isFile() && SECRET_FILE.test(entry.name)) await chmodIfLooser(path, FILE_MODE);
  }
}

/** Removes permission bits beyond `mode` (never adds any). */
async function chmodIfLooser(path: string, mode: number): Promise<void> {
  const current = (await stat(path)).mode & 0o777;
  if ((current & ~mode) !== 0) await chmod(path, current & mode);
}
