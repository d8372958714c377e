/**
 * Browsers' NSS certificate databases, which ignore the system store: Chrome and Chromium on
 * Linux read ~/.pki/nssdb, Firefox each profile's own database. The CA is added with NSS's
 * certutil (Debian: libnss3-tools) as a CA trusted for TLS servers ("C,,"), to databases that
 * exist; none is created.
 */
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustedCa } from './ca.ts';
import { runCommand } from './command.ts';
import type { TrustStep } from './step.ts';

export interface NssStoreOptions {
  /** The user's home directory. */
  home: string;
  env: NodeJS.ProcessEnv;
}

interface NssDatabase {
  dir: string;
  browser: string;
}

/** Directories that hold Firefox profiles (plain, snap, flatpak), relative to home. */
const firefoxRoots = [
  '.mozilla/firefox',
  'snap/firefox/common/.mozilla/firefox',
  '.var/app/org.mozilla.firefox/.mozilla/firefox',
];
/** Chrome's and Chromium's shared database (plain, snap), relative to home. */
const chromeDatabases = ['.pki/nssdb', 'snap/chromium/current/.pki/nssdb'];

/** The nickname the CA has in NSS databases. */
export function nssNickname(ca: TrustedCa): string {
  return `${ca.name} ${ca.id}`;
}

export async function installNss(ca: TrustedCa, o: NssStoreOptions): Promise<TrustStep[]> {
  return eachDatabase(ca, o, 'install', async (db, store) => {
    if (await has(db, ca, o)) return { status: 'unchanged', store, detail: `already there as "${nssNickname(ca)}"` };
    const added = await certutil(['-A', '-d', `sql:${db.dir}`, '-t', 'C,,', '-n', nssNickname(ca), '-i', ca.path], o);
    return added.ok
      ? { status: 'installed', store, detail: `added as "${nssNickname(ca)}", trusted for TLS servers (C,,)` }
      : { status: 'failed', store, detail: `certutil -A failed: ${added.output}` };
  });
}

export async function uninstallNss(ca: TrustedCa, o: NssStoreOptions): Promise<TrustStep[]> {
  return eachDatabase(ca, o, 'uninstall', async (db, store) => {
    if (!(await has(db, ca, o))) return { status: 'unchanged', store, detail: `not there (no "${nssNickname(ca)}")` };
    const removed = await certutil(['-D', '-d', `sql:${db.dir}`, '-n', nssNickname(ca)], o);
    return removed.ok
      ? { status: 'removed', store, detail: `deleted "${nssNickname(ca)}"` }
      : { status: 'failed', store, detail: `certutil -D failed: ${removed.output}` };
  });
}

type DatabaseStep = (db: NssDatabase, store: string) => Promise<TrustStep>;

/** Runs `step` on every database found; one skip step when there is none or no certutil. */
async function eachDatabase(
  ca: TrustedCa,
  o: NssStoreOptions,
  action: 'install' | 'uninstall',
  step: DatabaseStep,
): Promise<TrustStep[]> {
  const databases = await findDatabases(o.home);
  if (databases.length === 0) {
    const looked = [...chromeDatabases, ...firefoxRoots.map((r) => `${r}/*`)].map((p) => `~/${p}`).join(', ');
    return [
      {
        status: 'skipped',
        store: 'NSS stores (Chrome, Chromium, Firefox)',
        detail: `no NSS database found (looked in ${looked}); a browser creates its own on first run: start it once, then run \`portico trust\` again`,
      },
    ];
  }
  const probe = await certutil(['-H'], o);
  if (probe.missing) {
    const where = databases.map((db) => db.dir).join(', ');
    const again = action === 'install' ? 'portico trust' : 'portico trust --uninstall';
    return [
      {
        status: 'skipped',
        store: 'NSS stores (Chrome, Chromium, Firefox)',
        detail: `certutil is not installed, so ${where} ${databases.length === 1 ? 'was' : 'were'} left alone: apt-get install libnss3-tools (Fedora: nss-tools), then run \`${again}\` again`,
      },
    ];
  }
  const steps: TrustStep[] = [];
  for (const db of databases) steps.push(await step(db, `NSS store ${db.dir} (${db.browser})`));
  return steps;
}

async function has(db: NssDatabase, ca: TrustedCa, o: NssStoreOptions): Promise<boolean> {
  return (await certutil(['-L', '-d', `sql:${db.dir}`, '-n', nssNickname(ca)], o)).ok;
}

function certutil(args: string[], o: NssStoreOptions) {
  return runCommand('certutil', args, o.env);
}

async function findDatabases(home: string): Promise<NssDatabase[]> {
  const found: NssDatabase[] = [];
  for (const dir of chromeDatabases.map((d) => join(home, d))) {
    if (await isDatabase(dir)) found.push({ dir, browser: 'Chrome, Chromium' });
  }
  for (const root of firefoxRoots.map((r) => join(home, r))) {
    const profiles = await readdir(root, { withFileTypes: true }).catch(() => []);
    for (const profile of profiles) {
      const dir = join(root, profile.name);
      if (profile.isDirectory() && (await isDatabase(dir))) found.push({ dir, browser: 'Firefox' });
    }
  }
  return found;
}

/** A directory with an SQLite NSS database (cert9.db); the old cert8.db format is not handled. */
async function isDatabase(dir: string): Promise<boolean> {
  return access(join(dir, 'cert9.db')).then(
    () => true,
    () => false,
  );
}
