/**
 * `portico trust`: makes this machine trust the local edge's CA, as `caddy trust` does for
 * Caddy's, so that browsers and tools accept `https://*.localhost` without warnings. Installs into
 * the system store and into every NSS database present, and reports each step: done, already
 * so, skipped (with why and what to do), or failed.
 */
import { homedir } from 'node:os';
import { findCa } from './ca.ts';
import type { TrustedCa } from './ca.ts';
import { installNss, uninstallNss } from './nss-store.ts';
import type { TrustStep } from './step.ts';
import { installSystem, uninstallSystem } from './system-store.ts';

export interface TrustOptions {
  /** The edge data directory whose CA is meant (bootstrap.json, ca/ca.pem). */
  dataDir: string;
  /** An explicit CA PEM instead of the data directory's. */
  caCertPath?: string;
  /** Remove instead of install. */
  uninstall?: boolean;
  /** Leave the system store alone. Default false. */
  skipSystem?: boolean;
  /** Leave the NSS databases alone. Default false. */
  skipNss?: boolean;
  /** Default process.env. PORTICO_TRUST_ROOT (tests) redirects every system path into a tree. */
  env?: NodeJS.ProcessEnv;
}

export interface TrustReport {
  ca: TrustedCa;
  steps: TrustStep[];
  /** True when a step failed. */
  failed: boolean;
}

/** Installs (or with `uninstall` removes) the CA; throws ERR_TRUST_CA when there is no usable CA. */
export async function trustLocalCa(o: TrustOptions): Promise<TrustReport> {
  const env = o.env ?? process.env;
  const ca = await findCa(o.dataDir, o.caCertPath);
  const steps: TrustStep[] = [];
  const system = { root: env.PORTICO_TRUST_ROOT || '/', env, platform: process.platform };
  const nss = { home: env.HOME || homedir(), env };
  if (o.skipSystem) steps.push({ status: 'skipped', store: 'system store', detail: '--no-system' });
  else steps.push(await (o.uninstall ? uninstallSystem(ca, system) : installSystem(ca, system)));
  if (o.skipNss) steps.push({ status: 'skipped', store: 'NSS stores', detail: '--no-nss' });
  else steps.push(...(await (o.uninstall ? uninstallNss(ca, nss) : installNss(ca, nss))));
  return { ca, steps, failed: steps.some((s) => s.status === 'failed') };
}
