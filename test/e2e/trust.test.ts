import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { issueLeafCertificate, loadOrCreateLocalCa } from '../../src/edge/tls/local-ca.ts';
import { porticoBin } from '../support/cli.ts';
import { tempDir } from '../support/edge.ts';

const hasCertutil = spawnSync('certutil', ['-H']).error === undefined;
// CI installs libnss3-tools (.ci/run); elsewhere the NSS half is skipped when certutil is missing.
const nssSkip = !hasCertutil && !process.env.CI ? 'certutil not installed (apt-get install libnss3-tools)' : false;

interface Machine {
  dir: string;
  dataDir: string;
  caPath: string;
  leafPath: string;
  /** Stands for `/`: the system store's paths live under it (PORTICO_TRUST_ROOT). */
  root: string;
  home: string;
  bundle: string;
  chromeDb: string;
  firefoxDb: string;
}

/** A throwaway machine: a data dir with an edge CA and a leaf it issued, a system tree, a home with NSS databases. */
async function machine(t: TestContext, nss = true): Promise<Machine> {
  const dir = await tempDir(t, 'portico-trust-');
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'data');
  const ca = await loadOrCreateLocalCa(join(dataDir, 'ca'));
  const leaf = await issueLeafCertificate(ca, { dnsNames: ['app.localhost'] });
  const leafPath = join(dir, 'leaf.pem');
  await writeFile(leafPath, leaf.certPem);
  const root = join(dir, 'root');
  for (const d of [
    'usr/local/share/ca-certificates',
    'usr/share/ca-certificates/other',
    'etc/ssl/certs',
    'etc/ca-certificates/update.d',
  ])
    await mkdir(join(root, d), { recursive: true });
  // Another CA already trusted, as on any real system: the bundle is rebuilt around it.
  const other = await loadOrCreateLocalCa(join(dir, 'other'));
  await writeFile(join(root, 'usr/share/ca-certificates/other/other.crt'), other.certPem);
  await writeFile(join(root, 'etc/ca-certificates.conf'), 'other/other.crt\n');
  const tree = [
    '--localcertsdir',
    join(root, 'usr/local/share/ca-certificates'),
    '--certsdir',
    join(root, 'usr/share/ca-certificates'),
    '--etccertsdir',
    join(root, 'etc/ssl/certs'),
  ];
  execFileSync('/usr/sbin/update-ca-certificates', [
    ...tree,
    '--certsconf',
    join(root, 'etc/ca-certificates.conf'),
    '--hooksdir',
    join(root, 'etc/ca-certificates/update.d'),
  ]);
  const home = join(dir, 'home');
  const chromeDb = join(home, '.pki/nssdb');
  const firefoxDb = join(home, '.mozilla/firefox/x1y2.default-release');
  if (nss) {
    for (const db of [chromeDb, firefoxDb]) {
      await mkdir(db, { recursive: true });
      execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    }
  }
  return {
    dir,
    dataDir,
    caPath: join(dataDir, 'ca', 'ca.pem'),
    leafPath,
    root,
    home,
    bundle: join(root, 'etc/ssl/certs/ca-certificates.crt'),
    chromeDb,
    firefoxDb,
  };
}

function trust(m: Machine, args: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [porticoBin, 'trust', '--data-dir', m.dataDir, ...args], {
    env: { ...process.env, PORTICO_TRUST_ROOT: m.root, HOME: m.home, ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `openssl verify` of the leaf against the system tree: an independent check of what the store trusts. */
function opensslTrusts(m: Machine): boolean {
  const bundle = spawnSync('openssl', ['verify', '-CAfile', m.bundle, m.leafPath], { encoding: 'utf8' });
  const hashed = spawnSync('openssl', ['verify', '-CApath', join(m.root, 'etc/ssl/certs'), m.leafPath], {
    encoding: 'utf8',
  });
  assert.equal(bundle.status === 0, hashed.status === 0, 'the bundle and the hashed directory agree');
  return bundle.status === 0;
}

function nssTrust(db: string, nickname: string): string | undefined {
  const r = spawnSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith(nickname));
  return line?.slice(nickname.length).trim();
}

test(
  'portico trust installs the edge CA into the system store and the NSS stores, says so, is idempotent, and --uninstall removes it',
  { skip: nssSkip },
  async (t) => {
    const m = await machine(t);
    const ca = await readFile(m.caPath, 'utf8');
    const id = /SHA-256 ([0-9A-F:]+)/
      .exec(trust(m, ['--no-system', '--no-nss']).stdout)![1]!
      .replace(/:/g, '')
      .slice(0, 12)
      .toLowerCase();
    const nickname = `Portico Local CA ${id}`;
    assert.equal(opensslTrusts(m), false);

    const installed = trust(m);
    assert.equal(installed.status, 0, installed.stderr);
    const lines = installed.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, new RegExp(`^Trusting Portico Local CA \\(SHA-256 [0-9A-F:]{95}\\) from ${m.caPath}$`));
    assert.equal(
      lines[1],
      `  installed  system store: wrote ${m.root}/usr/local/share/ca-certificates/portico-${id}.crt and ran update-ca-certificates (1 added, 0 removed; done.); ${m.bundle} now includes it`,
    );
    assert.equal(
      lines[2],
      `  installed  NSS store ${m.chromeDb} (Chrome, Chromium): added as "${nickname}", trusted for TLS servers (C,,)`,
    );
    assert.equal(
      lines[3],
      `  installed  NSS store ${m.firefoxDb} (Firefox): added as "${nickname}", trusted for TLS servers (C,,)`,
    );
    assert.equal(lines[4], `Node.js reads neither store: give Node programs NODE_EXTRA_CA_CERTS=${m.caPath}`);
    assert.ok((await readFile(m.bundle, 'utf8')).includes(ca.trim()));
    assert.equal(opensslTrusts(m), true);
    assert.equal(nssTrust(m.chromeDb, nickname), 'C,,');
    assert.equal(nssTrust(m.firefoxDb, nickname), 'C,,');

    const again = trust(m);
    assert.equal(again.status, 0);
    assert.deepEqual(
      again.stdout
        .split('\n')
        .slice(1, 4)
        .map((l) => l.trim().split(' ')[0]),
      ['unchanged', 'unchanged', 'unchanged'],
    );

    const removed = trust(m, ['--uninstall']);
    assert.equal(removed.status, 0, removed.stderr);
    const removedLines = removed.stdout.trimEnd().split('\n');
    assert.match(removedLines[0]!, /^Removing Portico Local CA/);
    assert.match(
      removedLines[1]!,
      /^ {2}removed {4}system store: removed .*portico-[0-9a-f]{12}\.crt and ran update-ca-certificates --fresh/,
    );
    assert.match(
      removedLines[2]!,
      /^ {2}removed {4}NSS store .*\.pki\/nssdb \(Chrome, Chromium\): deleted "Portico Local CA [0-9a-f]{12}"$/,
    );
    assert.match(removedLines[3]!, /^ {2}removed {4}NSS store .*default-release \(Firefox\)/);
    assert.equal(removedLines.length, 4);
    const bundle = await readFile(m.bundle, 'utf8');
    assert.ok(!bundle.includes(ca.trim()), 'the CA left the bundle');
    assert.ok(bundle.includes('BEGIN CERTIFICATE'), 'the other CA stayed');
    assert.equal(opensslTrusts(m), false);
    assert.equal(nssTrust(m.chromeDb, nickname), undefined);
    assert.deepEqual(
      trust(m, ['--uninstall'])
        .stdout.split('\n')
        .slice(1, 4)
        .map((l) => l.trim().split(' ')[0]),
      ['unchanged', 'unchanged', 'unchanged'],
    );
  },
);

test('what portico trust skips, and why: no NSS database, no certutil, no root, other systems', async (t) => {
  const m = await machine(t, false);
  const noDb = trust(m, ['--no-system']);
  assert.equal(noDb.status, 0);
  assert.match(noDb.stdout, /^ {2}skipped {4}system store: --no-system$/m);
  assert.match(
    noDb.stdout,
    /^ {2}skipped {4}NSS stores \(Chrome, Chromium, Firefox\): no NSS database found \(looked in ~\/\.pki\/nssdb, .*~\/\.mozilla\/firefox\/\*.*\); a browser creates its own on first run/m,
  );

  await mkdir(join(m.home, '.pki/nssdb'), { recursive: true });
  await writeFile(join(m.home, '.pki/nssdb/cert9.db'), '');
  const empty = await tempDir(t);
  const noCertutil = trust(m, ['--no-system'], { PATH: empty });
  assert.equal(noCertutil.status, 0);
  assert.match(
    noCertutil.stdout,
    /skipped {4}NSS stores \(Chrome, Chromium, Firefox\): certutil is not installed, so .*\.pki\/nssdb was left alone: apt-get install libnss3-tools/,
  );

  if (process.getuid?.() === 0 && spawnSync('runuser', ['--help']).status === 0) {
    const asUser = spawnSync(
      'runuser',
      ['-u', 'nobody', '--', process.execPath, porticoBin, 'trust', '--data-dir', m.dataDir, '--no-nss'],
      {
        env: { ...process.env, PORTICO_TRUST_ROOT: m.root, HOME: m.home },
        encoding: 'utf8',
      },
    );
    assert.equal(asUser.status, 0, asUser.stderr);
    assert.match(
      asUser.stdout,
      new RegExp(
        `skipped {4}system store: writing ${m.root}/usr/local/share/ca-certificates needs root: run \`sudo portico trust --ca-cert ${m.caPath}\``,
      ),
    );
  }

  const fedora = join(m.dir, 'fedora');
  await mkdir(join(fedora, 'etc/pki/ca-trust/source/anchors'), { recursive: true });
  assert.match(
    trust(m, ['--no-nss'], { PORTICO_TRUST_ROOT: fedora }).stdout,
    /skipped {4}system store: only Debian-family systems are handled automatically; on Fedora\/RHEL run `sudo cp .*ca\.pem \/etc\/pki\/ca-trust\/source\/anchors\/portico-[0-9a-f]{12}\.pem && sudo update-ca-trust`/,
  );
  const bare = await tempDir(t);
  assert.match(
    trust(m, ['--no-nss'], { PORTICO_TRUST_ROOT: bare }).stdout,
    /skipped {4}system store: no .*usr\/local\/share\/ca-certificates \(not a Debian-family system\): on Arch and others with p11-kit run `sudo trust anchor --store /,
  );
});

test('portico trust with no local CA says where it looked and how to get one', async (t) => {
  const dir = await tempDir(t);
  const r = spawnSync(process.execPath, [porticoBin, 'trust', '--data-dir', dir], {
    env: { ...process.env, PORTICO_TRUST_ROOT: dir, HOME: dir },
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    new RegExp(
      `^ERROR: .*cannot read ${dir}/ca/ca\\.pem \\(the data directory ${dir}\\): .*start \`portico edge\` once to create the local CA, or pass --ca-cert or --data-dir\\) \\(ERR_TRUST_CA\\)\\n$`,
    ),
  );
  const notCa = join(dir, 'leaf.pem');
  const ca = await loadOrCreateLocalCa(join(dir, 'ca2'));
  await writeFile(notCa, (await issueLeafCertificate(ca, { dnsNames: ['x.localhost'] })).certPem);
  const leaf = spawnSync(process.execPath, [porticoBin, 'trust', '--ca-cert', notCa], {
    env: { ...process.env, PORTICO_TRUST_ROOT: dir, HOME: dir },
    encoding: 'utf8',
  });
  assert.equal(leaf.status, 1);
  assert.match(leaf.stderr, /is not a CA certificate\) \(ERR_TRUST_CA\)/);
});
