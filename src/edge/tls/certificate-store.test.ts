import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { CertificateStore } from './certificate-store.ts';
import { issueLeafCertificate, loadOrCreateLocalCa, type Pem } from './local-ca.ts';

async function setup(
  t: TestContext,
  domain: string,
  extra: {
    maxCached?: number;
    resolve?: (n: string) => Promise<Pem | undefined>;
    issuable?: (n: string) => string | undefined;
  } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'portico-certs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await loadOrCreateLocalCa(dir);
  const store = new CertificateStore({ ca, domain, dir, ...extra });
  await store.init();
  return { dir, ca, store };
}

async function listen(t: TestContext, store: CertificateStore): Promise<number> {
  // The way the public port uses the store: a context per server name, the wildcard without one.
  const wildcard = await store.certificateFor(undefined);
  const SNICallback = (name: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) =>
    void store.contextFor(name).then(
      (ctx) => cb(null, ctx),
      (err: Error) => cb(err),
    );
  const server = tls.createServer({ cert: wildcard.certPem, key: wildcard.keyPem, SNICallback }, (socket) =>
    socket.end(),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** Connects with the CA as the only trust anchor and Node's own host name check. */
function peer(port: number, ca: Pem, servername?: string): Promise<tls.PeerCertificate> {
  return new Promise((resolve, reject) => {
    const skipHostCheck = servername === undefined ? { checkServerIdentity: () => undefined } : {};
    const socket = tls.connect({ port, host: '127.0.0.1', servername, ca: ca.certPem, ...skipHostCheck }, () => {
      const cert = socket.getPeerCertificate();
      socket.destroy();
      resolve(cert);
    });
    socket.on('error', reject);
  });
}

test('serves the wildcard for the apex and one label under it, on demand for deeper names', async (t) => {
  const { ca, store } = await setup(t, 'edge.test');
  const port = await listen(t, store);
  const wildcard = await peer(port, ca, 'app.edge.test');
  assert.equal(wildcard.subjectaltname, 'DNS:edge.test, DNS:*.edge.test');
  assert.equal((await peer(port, ca, 'edge.test')).fingerprint256, wildcard.fingerprint256);
  assert.equal((await peer(port, ca, 'APP.Edge.Test')).fingerprint256, wildcard.fingerprint256);
  assert.equal((await peer(port, ca, 'a.b.edge.test')).subjectaltname, 'DNS:a.b.edge.test');
  assert.equal((await peer(port, ca, 'www.example.org')).subjectaltname, 'DNS:www.example.org');
  assert.equal((await peer(port, ca)).fingerprint256, wildcard.fingerprint256, 'no SNI gets the wildcard');
});

test('a single-label domain gets per-name certificates, since clients refuse *.localhost', async (t) => {
  const { ca, store } = await setup(t, 'localhost');
  const port = await listen(t, store);
  assert.equal((await peer(port, ca, 'localhost')).subjectaltname, 'DNS:localhost, DNS:*.localhost');
  assert.equal((await peer(port, ca, 'app.localhost')).subjectaltname, 'DNS:app.localhost');
});

test('openssl accepts the wildcard file: CA:FALSE with both names', async (t) => {
  const { dir } = await setup(t, 'edge.test');
  const path = join(dir, 'wildcard.pem');
  const verify = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), path], { encoding: 'utf8' });
  assert.match(verify, /wildcard\.pem: OK/);
  const text = execFileSync('openssl', ['x509', '-in', path, '-noout', '-text'], { encoding: 'utf8' });
  assert.match(text, /CA:FALSE/);
  assert.match(text, /DNS:edge\.test, DNS:\*\.edge\.test/);
});

test('keeps the wildcard across restarts and re-issues it for another domain or a damaged file', async (t) => {
  const { dir, ca } = await setup(t, 'edge.test');
  const first = await readFile(join(dir, 'wildcard.pem'), 'utf8');
  await new CertificateStore({ ca, domain: 'edge.test', dir }).init();
  assert.equal(await readFile(join(dir, 'wildcard.pem'), 'utf8'), first);
  await new CertificateStore({ ca, domain: 'other.test', dir }).init();
  const second = await readFile(join(dir, 'wildcard.pem'), 'utf8');
  assert.notEqual(second, first);
  await writeFile(join(dir, 'wildcard-key.pem'), 'garbage');
  await new CertificateStore({ ca, domain: 'other.test', dir }).init();
  assert.notEqual(await readFile(join(dir, 'wildcard.pem'), 'utf8'), second);
});

test('concurrent requests for one name share one issuance; the cache is bounded', async (t) => {
  const { store } = await setup(t, 'edge.test', { maxCached: 2 });
  const all = await Promise.all(Array.from({ length: 5 }, () => store.contextFor('x.y.edge.test')));
  assert.ok(all.every((c) => c === all[0]));
  assert.equal(await store.contextFor('x.y.edge.test'), all[0]);
  await store.contextFor('a.other.test');
  await store.contextFor('b.other.test');
  assert.notEqual(await store.contextFor('x.y.edge.test'), all[0], 'least recently used was dropped');
});

test('invalid or missing names get the default context', async (t) => {
  const { store } = await setup(t, 'edge.test');
  for (const name of [undefined, '', '127.0.0.1', 'bad_name.test', '-x.test']) {
    assert.equal(await store.contextFor(name), store.defaultContext(), String(name));
  }
});

test('the resolve hook is consulted first', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-certs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await loadOrCreateLocalCa(dir);
  const uploaded = await issueLeafCertificate(ca, { dnsNames: ['app.edge.test'] }, { commonName: 'uploaded' });
  const asked: string[] = [];
  const resolve = async (name: string) => (asked.push(name), name === 'app.edge.test' ? uploaded : undefined);
  const store = new CertificateStore({ ca, domain: 'edge.test', dir, resolve });
  await store.init();
  const port = await listen(t, store);
  assert.equal(String((await peer(port, ca, 'app.edge.test')).subject.CN), 'uploaded');
  assert.equal(await store.contextFor('app.edge.test'), await store.contextFor('app.edge.test'));
  assert.equal((await peer(port, ca, 'web.edge.test')).subjectaltname, 'DNS:edge.test, DNS:*.edge.test');
  assert.ok(asked.includes('web.edge.test'));
});

test('on demand only for names the edge serves: others get the default certificate and nothing is signed', async (t) => {
  const served = new Set(['app.example.test']);
  const { ca, store } = await setup(t, 'localhost', {
    issuable: (name) =>
      served.has(name) ? name : name.endsWith('.team.example.test') ? '*.team.example.test' : undefined,
  });
  const port = await listen(t, store);
  const wildcard = await peer(port, ca);
  for (let i = 0; i < 5; i++) {
    const cert = await peer(port, ca, `x${i}.evil-290.com`).catch(() => undefined);
    // The client refuses the default certificate (it does not cover the name); the edge signed nothing.
    assert.equal(cert, undefined);
  }
  assert.equal(store.issuedCount, 0);
  assert.equal((await store.certificateFor('x.evil-290.com')).certPem, (await store.certificateFor(undefined)).certPem);
  assert.notEqual((await peer(port, ca, 'app.example.test')).fingerprint256, wildcard.fingerprint256);
  // Every name a wildcard serves shares one certificate issued for the wildcard.
  const a = await peer(port, ca, 'a.team.example.test');
  const b = await peer(port, ca, 'b.team.example.test');
  assert.equal(a.subjectaltname, 'DNS:*.team.example.test');
  assert.equal(a.fingerprint256, b.fingerprint256);
  assert.equal(store.issuedCount, 2);
});
