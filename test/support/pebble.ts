/**
 * Debian's `pebble` ACME test CA and `pebble-challtestsrv` (its mock DNS, answering 127.0.0.1
 * for every name), started per test on free loopback ports. Prepare first (the directory URL
 * and the CA that signs pebble's own listener, for the edge's config), start the edge, then
 * start pebble with the edge's HTTP and HTTPS ports as its HTTP-01 and TLS-ALPN-01 ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { issueLeafCertificate, loadOrCreateLocalCa } from '../../src/edge/tls/local-ca.ts';
import { defer } from './defer.ts';
import { tempDir } from './edge.ts';
import { freePorts } from './services.ts';

const PEBBLE = '/usr/bin/pebble';
const CHALLTESTSRV = '/usr/bin/pebble-challtestsrv';

/** Why the ACME tests skip here, or undefined when pebble is installed (CI installs it). */
export const pebbleMissing =
  existsSync(PEBBLE) && existsSync(CHALLTESTSRV)
    ? undefined
    : 'pebble is not installed: apt-get install pebble (CI installs it)';

export interface PebbleStartOptions {
  /** The port pebble's VA dials for HTTP-01: the edge's HTTP port. */
  httpPort: number;
  /** The port pebble's VA dials for TLS-ALPN-01: the edge's HTTPS port. */
  tlsPort: number;
  /** Seconds an issued certificate is valid. Default pebble's (years). */
  validitySeconds?: number;
}

export interface Pebble {
  /** `https://127.0.0.1:<port>/dir`. */
  directoryUrl: string;
  /** The CA of pebble's own HTTPS listener, for `--acme-ca-cert`. */
  caCertPem: string;
  start(options: PebbleStartOptions): Promise<void>;
  /** The root that signs issued chains (random each run), from the management API. */
  rootPem(): Promise<string>;
  /** Makes the mock DNS answer `addresses` for `host` (challtestsrv `POST /add-a`). */
  addA(host: string, addresses: string[]): Promise<void>;
  /** Back to the default answer, 127.0.0.1 (`POST /clear-a`). */
  clearA(host: string): Promise<void>;
  /** Everything pebble printed so far. */
  log(): string;
}

/** Picks ports and makes pebble's listener certificate; nothing runs until `start`. */
export async function preparePebble(t: TestContext): Promise<Pebble> {
  const dir = await tempDir(t, 'portico-pebble-');
  const ca = await loadOrCreateLocalCa(join(dir, 'ca'));
  const leaf = await issueLeafCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  await writeFile(join(dir, 'cert.pem'), leaf.certPem);
  await writeFile(join(dir, 'key.pem'), leaf.keyPem);
  const [listen, management, dns, dnsManagement] = (await freePorts(4)) as [number, number, number, number];
  let output = '';
  const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess => {
    const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d: Buffer) => (output += d));
    child.stderr!.on('data', (d: Buffer) => (output += d));
    defer(t, () => child.kill('SIGKILL'));
    return child;
  };
  const management_ = (path: string, body: unknown) => post(`http://127.0.0.1:${dnsManagement}${path}`, body);
  return {
    directoryUrl: `https://127.0.0.1:${listen}/dir`,
    caCertPem: ca.certPem,
    async start(options) {
      run(CHALLTESTSRV, [
        '-dns01',
        `127.0.0.1:${dns}`,
        '-http01',
        '',
        '-https01',
        '',
        '-tlsalpn01',
        '',
        '-management',
        `127.0.0.1:${dnsManagement}`,
        '-defaultIPv4',
        '127.0.0.1',
        '-defaultIPv6',
        '',
      ]);
      const config = {
        pebble: {
          listenAddress: `127.0.0.1:${listen}`,
          managementListenAddress: `127.0.0.1:${management}`,
          certificate: join(dir, 'cert.pem'),
          privateKey: join(dir, 'key.pem'),
          httpPort: options.httpPort,
          tlsPort: options.tlsPort,
          ocspResponderURL: '',
          externalAccountBindingRequired: false,
          ...(options.validitySeconds ? { certificateValidityPeriod: options.validitySeconds } : {}),
        },
      };
      await writeFile(join(dir, 'pebble.json'), JSON.stringify(config));
      // No random sleeps before validation, no rejected nonces: fast and deterministic runs.
      run(PEBBLE, ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dns}`, '-strict'], {
        PEBBLE_VA_NOSLEEP: '1',
        PEBBLE_WFE_NONCEREJECT: '0',
        PEBBLE_AUTHZREUSE: '0',
      });
      await Promise.all([
        waitForPort(listen, () => output),
        waitForPort(management, () => output),
        waitForPort(dnsManagement, () => output),
      ]);
    },
    rootPem: () => get(`https://127.0.0.1:${management}/roots/0`, ca.certPem),
    addA: (host, addresses) => management_('/add-a', { host, addresses }),
    clearA: (host) => management_('/clear-a', { host }),
    log: () => output,
  };
}

async function waitForPort(port: number, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`pebble did not listen on 127.0.0.1:${port}:\n${log()}`);
}

function get(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`GET ${url}: ${res.statusCode} ${body}`)),
        );
      })
      .on('error', reject);
  });
}

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
}
