/**
 * The operating system's trust store. Debian and Ubuntu: the CA goes to
 * /usr/local/share/ca-certificates/portico-<id>.crt and update-ca-certificates rebuilds
 * /etc/ssl/certs (curl, wget, OpenSSL, Python, Go …). Elsewhere the step says what to run.
 */
import { constants } from 'node:fs';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrustedCa } from './ca.ts';
import { runCommand, withSbin } from './command.ts';
import type { TrustStep } from './step.ts';

export interface SystemStoreOptions {
  /** Treated as `/` for every system path; tests point it at a temporary tree. Default `/`. */
  root: string;
  env: NodeJS.ProcessEnv;
  /** process.platform. */
  platform: NodeJS.Platform;
}

const store = 'system store';

function paths(root: string) {
  return {
    local: join(root, 'usr/local/share/ca-certificates'),
    shared: join(root, 'usr/share/ca-certificates'),
    etc: join(root, 'etc/ssl/certs'),
    conf: join(root, 'etc/ca-certificates.conf'),
    hooks: join(root, 'etc/ca-certificates/update.d'),
    rhel: join(root, 'etc/pki/ca-trust/source/anchors'),
  };
}

/** Adds the CA to the system store (Debian family), or says how to elsewhere. */
export async function installSystem(ca: TrustedCa, o: SystemStoreOptions): Promise<TrustStep> {
  const p = paths(o.root);
  const unsupported = await unsupportedSystem(ca, o, 'install');
  if (unsupported) return unsupported;
  const target = join(p.local, `portico-${ca.id}.crt`);
  if (!(await writable(p.local)))
    return {
      status: 'skipped',
      store,
      detail: `writing ${p.local} needs root: run \`sudo portico trust --ca-cert ${ca.path}\``,
    };
  const bundle = join(p.etc, 'ca-certificates.crt');
  if ((await readText(target)) === ca.pem && (await readText(bundle))?.includes(ca.pem.trim())) {
    return { status: 'unchanged', store, detail: `already in ${target} and ${bundle}` };
  }
  await writeFile(target, ca.pem, { mode: 0o644 });
  const update = await updateCaCertificates(o, []);
  if (!update.ok)
    return { status: 'failed', store, detail: `wrote ${target}, but update-ca-certificates failed: ${update.detail}` };
  return {
    status: 'installed',
    store,
    detail: `wrote ${target} and ran update-ca-certificates (${update.detail}); ${bundle} now includes it`,
  };
}

/** Removes the CA from the system store (Debian family), or says how to elsewhere. */
export async function uninstallSystem(ca: TrustedCa, o: SystemStoreOptions): Promise<TrustStep> {
  const p = paths(o.root);
  const unsupported = await unsupportedSystem(ca, o, 'uninstall');
  if (unsupported) return unsupported;
  const target = join(p.local, `portico-${ca.id}.crt`);
  if ((await readText(target)) === undefined)
    return { status: 'unchanged', store, detail: `not installed (no ${target})` };
  if (!(await writable(p.local)))
    return {
      status: 'skipped',
      store,
      detail: `removing ${target} needs root: run \`sudo portico trust --uninstall --ca-cert ${ca.path}\``,
    };
  await rm(target, { force: true });
  // --fresh rebuilds the links too: a plain run would leave the removed CA's links dangling.
  const update = await updateCaCertificates(o, ['--fresh']);
  if (!update.ok)
    return {
      status: 'failed',
      store,
      detail: `removed ${target}, but update-ca-certificates --fresh failed: ${update.detail}`,
    };
  return {
    status: 'removed',
    store,
    detail: `removed ${target} and ran update-ca-certificates --fresh (${update.detail})`,
  };
}

/** A skip step with the commands to run by hand, for systems without /usr/local/share/ca-certificates. */
async function unsupportedSystem(
  ca: TrustedCa,
  o: SystemStoreOptions,
  action: 'install' | 'uninstall',
): Promise<TrustStep | undefined> {
  const p = paths(o.root);
  const add = action === 'install';
  if (o.platform === 'darwin') {
    const cmd = add
      ? `sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${ca.path}`
      : `sudo security remove-trusted-cert -d ${ca.path}`;
    return { status: 'skipped', store, detail: `macOS is not handled automatically yet: run \`${cmd}\`` };
  }
  if (o.platform === 'win32') {
    const cmd = add ? `certutil -addstore -f ROOT ${ca.path}` : `certutil -delstore ROOT "${ca.name}"`;
    return {
      status: 'skipped',
      store,
      detail: `Windows is not handled automatically yet: run \`${cmd}\` in an administrator prompt`,
    };
  }
  if (o.platform !== 'linux')
    return {
      status: 'skipped',
      store,
      detail: `${o.platform} is not handled: add ${ca.path} to the system trust store by hand`,
    };
  if (await exists(p.local)) return undefined;
  if (await exists(p.rhel)) {
    const file = join('/etc/pki/ca-trust/source/anchors', `portico-${ca.id}.pem`);
    const cmd = add ? `sudo cp ${ca.path} ${file} && sudo update-ca-trust` : `sudo rm ${file} && sudo update-ca-trust`;
    return {
      status: 'skipped',
      store,
      detail: `only Debian-family systems are handled automatically; on Fedora/RHEL run \`${cmd}\``,
    };
  }
  const arch = add ? `sudo trust anchor --store ${ca.path}` : `sudo trust anchor --remove ${ca.path}`;
  return {
    status: 'skipped',
    store,
    detail: `no ${p.local} (not a Debian-family system): on Arch and others with p11-kit run \`${arch}\``,
  };
}

async function updateCaCertificates(o: SystemStoreOptions, extra: string[]): Promise<{ ok: boolean; detail: string }> {
  const p = paths(o.root);
  // Outside `/` (tests) every path the script uses is redirected into the tree, hooks included.
  const args =
    o.root === '/'
      ? extra
      : [
          ...extra,
          '--localcertsdir',
          p.local,
          '--certsdir',
          p.shared,
          '--etccertsdir',
          p.etc,
          '--certsconf',
          p.conf,
          '--hooksdir',
          p.hooks,
        ];
  const result = await runCommand('update-ca-certificates', args, withSbin(o.env));
  if (result.missing)
    return { ok: false, detail: 'update-ca-certificates is not installed (apt-get install ca-certificates)' };
  const summary =
    result.output.split('\n').find((line) => /added, \d+ removed/.test(line)) ?? result.output.split('\n').at(-1) ?? '';
  return { ok: result.ok, detail: summary.trim() };
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function writable(dir: string): Promise<boolean> {
  return access(dir, constants.W_OK).then(
    () => true,
    () => false,
  );
}
