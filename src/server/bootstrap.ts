import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bootstrapPath, type Bootstrap } from '../bootstrap/paths.ts';
import type { Store } from '../store/store.ts';

/** The bootstrap account's credentials: shown once, kept in bootstrap.json (mode 0600). */
export interface BootstrapCredentials {
  accountId: string;
  accountName: string;
  apiKey: string;
  authtoken: string;
  /** True when this start created them (the only time they are printed). */
  created: boolean;
}

/** Name of the account the first start creates. */
export const bootstrapAccountName = 'default';

async function readBootstrap(dataDir: string): Promise<Partial<Bootstrap> | undefined> {
  try {
    return JSON.parse(await readFile(bootstrapPath(dataDir), 'utf8')) as Partial<Bootstrap>;
  } catch {
    return undefined;
  }
}

/**
 * Reuses the credentials of an earlier start when they still authenticate; otherwise creates
 * the bootstrap account (if missing), an authtoken and an API key.
 */
export async function ensureBootstrapCredentials(store: Store, dataDir: string): Promise<BootstrapCredentials> {
  const previous = await readBootstrap(dataDir);
  if (previous?.authtoken && previous.api_key) {
    const agent = await store.credentials.authenticate(previous.authtoken);
    const api = await store.apiKeys.authenticate(previous.api_key);
    if (agent && api && agent.account.id === api.account.id) {
      return {
        accountId: agent.account.id,
        accountName: agent.account.name,
        apiKey: previous.api_key,
        authtoken: previous.authtoken,
        created: false,
      };
    }
  }
  const account =
    (await store.accounts.getByName(bootstrapAccountName)) ?? (await store.accounts.create(bootstrapAccountName));
  const { token: authtoken } = await store.credentials.create(account.id, {
    description: 'created by the first edge start',
  });
  const { token: apiKey } = await store.apiKeys.create(account.id, { description: 'created by the first edge start' });
  return {
    accountId: account.id,
    accountName: account.name,
    apiKey: apiKey.reveal(),
    authtoken: authtoken.reveal(),
    created: true,
  };
}

/** Writes bootstrap.json atomically, readable only by its owner. */
export async function writeBootstrap(dataDir: string, bootstrap: Bootstrap): Promise<void> {
  const path = bootstrapPath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(bootstrap, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/** The edge's own secret (session cookies), created once in the data dir. */
export async function loadOrCreateEdgeSecret(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, 'edge-secret');
  try {
    const hex = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  } catch {
    // First start: create it below.
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32);
  await writeFile(path, secret.toString('hex') + '\n', { mode: 0o600 });
  return secret;
}
