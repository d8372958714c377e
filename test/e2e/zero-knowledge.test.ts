/**
 * Zero-knowledge TLS: the agent terminates TLS with the service's own certificate (`--crt`/`--key`),
 * the edge passes the connection through by SNI and relays only ciphertext.
 */
import assert from 'node:assert/strict';
import { execFile, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import tls from 'node:tls';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { forward } from '../../src/agent/forward.ts';
import { isPorticoError } from '../../src/errors/catalogue.ts';
import { issueLeafCertificate, loadOrCreateLocalCa, type Pem } from '../../src/edge/tls/local-ca.ts';
import { jsonLine, spawnPortico } from '../support/cli.ts';
import { patternDigest, patternStream } from '../support/data.ts';
import { forwardTo, startTestEdge, tempDir, type TestEdge } from '../support/edge.ts';
import { request } from '../support/client.ts';
import { freePort, startEchoService, startHttpService } from '../support/services.ts';

const MiB = 1024 * 1024;

/** The service's own PKI, which the edge never sees: a CA and a leaf for `hostname`. */
async function servicePki(t: TestContext, hostname: string): Promise<{ ca: Pem; leaf: Pem }> {
  const ca = await loadOrCreateLocalCa(await tempDir(t, 'portico-service-ca-'));
  return { ca, leaf: await issueLeafCertificate(ca, { dnsNames: [hostname] }) };
}

/** Connects to the edge's public HTTPS port with `servername`, trusting only `ca`. */
async function connectTls(edge: TestEdge, servername: string, ca: string, alpn?: string[]): Promise<tls.TLSSocket> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: edge.ports.https,
    servername,
    ca,
    ...(alpn ? { ALPNProtocols: alpn } : {}),
  });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  return socket;
}

/** Writes `text`, and reads until the peer ends (or `until` is seen). */
async function exchange(socket: tls.TLSSocket, text: string, until?: string): Promise<string> {
  let got = '';
  socket.setEncoding('utf8');
  socket.write(text);
  await new Promise<void>((resolve, reject) => {
    socket.on('data', (c: string) => {
      got += c;
      if (until && got.includes(until)) resolve();
    });
    socket.once('end', resolve).once('error', reject);
  });
  socket.destroy();
  return got;
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

test('http --crt/--key: the agent terminates TLS with its own certificate; the edge relays only TLS records', async (t) => {
  const edge = await startTestEdge(t);
  const hostname = 'zk-web.localhost';
  const { ca, leaf } = await servicePki(t, hostname);
  const web = await startHttpService(t, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => res.end(`plain service saw ${req.method} ${req.url} ${req.headers['x-secret']} ${body}`));
  });
  const relayed: Buffer[] = [];
  const tunnel = await forwardTo(t, edge, {
    addr: web.port,
    hostname,
    crt: leaf.certPem,
    key: leaf.keyPem,
    tap: (_id, chunk) => relayed.push(Buffer.from(chunk)),
  });
  assert.equal(tunnel.url, `https://${hostname}:${edge.ports.https}`);

  const client = await connectTls(edge, hostname, ca.certPem, ['http/1.1']);
  // The certificate the client verified is the agent's, though the edge has its own CA.
  assert.equal(client.getPeerX509Certificate()?.fingerprint256, fingerprint(leaf.certPem));
  assert.notEqual(client.getPeerX509Certificate()?.fingerprint256, fingerprint(edge.caPem));
  assert.equal(client.alpnProtocol, 'http/1.1');
  const marker = 'zk-marker-7f3a91';
  const body = `body-${marker}`;
  const reply = await exchange(
    client,
    `POST /secret-path HTTP/1.1\r\nHost: ${hostname}\r\nX-Secret: ${marker}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
  );
  assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
  assert.ok(reply.endsWith(`plain service saw POST /secret-path ${marker} ${body}`), reply);

  // What the edge handed the agent: TLS records (a handshake record first), never the request.
  const bytes = Buffer.concat(relayed);
  assert.ok(bytes.length > 0);
  assert.deepEqual([...bytes.subarray(0, 2)], [0x16, 0x03]);
  assert.equal(bytes.includes(marker), false);
  assert.equal(bytes.includes('POST /secret-path'), false);
  assert.equal(bytes.includes(hostname), true, 'the SNI is the one plaintext the edge reads');

  // A client trusting only the edge's CA refuses the agent's certificate.
  await assert.rejects(connectTls(edge, hostname, edge.caPem), /certificate/);

  // curl, trusting only the service's CA, gets the plain service's answer over the public URL.
  const caFile = join(await tempDir(t), 'service-ca.pem');
  await writeFile(caFile, ca.certPem);
  const curl = await promisify(execFile)('curl', [
    '-sS',
    '--cacert',
    caFile,
    '--resolve',
    `${hostname}:${edge.ports.https}:127.0.0.1`,
    '-H',
    'X-Secret: curl',
    `${tunnel.url}/from-curl`,
  ]);
  assert.equal(curl.stdout, 'plain service saw GET /from-curl curl ');
});

test("http --crt/--key with the local service down: a 502 page over the agent's TLS", async (t) => {
  const edge = await startTestEdge(t);
  const hostname = 'zk-down.localhost';
  const { ca, leaf } = await servicePki(t, hostname);
  // A port that was free a moment ago: nothing listens there.
  const port = await freePort();
  const tunnel = await forwardTo(t, edge, {
    addr: `127.0.0.1:${port}`,
    hostname,
    crt: leaf.certPem,
    key: leaf.keyPem,
  });
  const res = await request(`${tunnel.url}/`, { ca: ca.certPem });
  assert.equal(res.status, 502);
  assert.match(res.body.toString(), /ERR_EDGE_UPSTREAM_REFUSED/);
});

test('tls --crt/--key: the tls command terminates in the agent and forwards plaintext TCP', async (t) => {
  const edge = await startTestEdge(t);
  const hostname = 'zk-tcp.localhost';
  const { ca, leaf } = await servicePki(t, hostname);
  const echo = await startEchoService(t);
  const dir = await tempDir(t);
  await writeFile(join(dir, 'cert.pem'), leaf.certPem);
  await writeFile(join(dir, 'key.pem'), leaf.keyPem, { mode: 0o600 });

  const agent = runCli(t, edge, [
    'tls',
    '--crt',
    join(dir, 'cert.pem'),
    '--key',
    join(dir, 'key.pem'),
    '--hostname',
    hostname,
    String(echo.port),
    '--config',
    join(dir, 'none.yml'),
    '--log',
    'stdout',
    '--log-format',
    'json',
  ]);
  const started = await jsonLine(agent, (l) => l.msg === 'started tunnel');
  assert.equal(started.url, `tls://${hostname}:${edge.ports.https}`);

  const client = await connectTls(edge, hostname, ca.certPem);
  assert.equal(client.getPeerX509Certificate()?.fingerprint256, fingerprint(leaf.certPem));
  assert.equal(await exchange(client, 'ping over zero-knowledge TLS\n', '\n'), 'ping over zero-knowledge TLS\n');

  // Bulk and half-close: the client ends its side; the whole echo still comes back.
  const bulk = await connectTls(edge, hostname, ca.certPem);
  const hash = createHash('sha256');
  let bytes = 0;
  bulk.on('data', (c: Buffer) => {
    bytes += c.length;
    hash.update(c);
  });
  patternStream(4 * MiB, 5).pipe(bulk);
  await new Promise<void>((resolve, reject) => bulk.once('end', resolve).once('error', reject));
  bulk.destroy();
  assert.equal(bytes, 4 * MiB);
  assert.equal(hash.digest('hex'), await patternDigest(4 * MiB, 5));
});

test('bad input: a key that does not match the certificate fails with ERR_AGENT_TLS_CERT_INVALID (CLI exit 1, SDK rejects)', async (t) => {
  const edge = await startTestEdge(t);
  const { leaf } = await servicePki(t, 'zk-bad.localhost');
  const { leaf: other } = await servicePki(t, 'zk-other.localhost');
  const dir = await tempDir(t);
  await writeFile(join(dir, 'cert.pem'), leaf.certPem);
  await writeFile(join(dir, 'key.pem'), other.keyPem, { mode: 0o600 });

  const agent = runCli(t, edge, [
    'http',
    '--crt',
    join(dir, 'cert.pem'),
    '--key',
    join(dir, 'key.pem'),
    '--hostname',
    'zk-bad.localhost',
    '3000',
    '--config',
    join(dir, 'none.yml'),
  ]);
  const [code, stderr] = await exited(agent);
  assert.equal(code, 1);
  assert.match(stderr, /^ERROR: .*the key does not match the certificate.*\(ERR_AGENT_TLS_CERT_INVALID\)$/m);

  await assert.rejects(
    forward({
      addr: 3000,
      crt: leaf.certPem,
      key: other.keyPem,
      serverAddr: edge.serverAddr,
      caCert: edge.caPem,
      authtoken: edge.credentials.authtoken,
    }),
    (err) => isPorticoError(err) && err.code === 'ERR_AGENT_TLS_CERT_INVALID',
  );
  const missing = runCli(t, edge, [
    'tls',
    '--crt',
    join(dir, 'absent.pem'),
    '--key',
    join(dir, 'key.pem'),
    '3000',
    '--config',
    join(dir, 'none.yml'),
  ]);
  const [missingCode, missingErr] = await exited(missing);
  assert.equal(missingCode, 1);
  assert.match(missingErr, /cannot read .*absent\.pem.*\(ERR_AGENT_TLS_CERT_INVALID\)/);
});

test('without --domain the edge assigns a random name the certificate does not cover: a WARNING is printed', async (t) => {
  const edge = await startTestEdge(t);
  const { leaf } = await servicePki(t, 'zk-named.localhost');
  const dir = await tempDir(t);
  await writeFile(join(dir, 'cert.pem'), leaf.certPem);
  await writeFile(join(dir, 'key.pem'), leaf.keyPem, { mode: 0o600 });
  const agent = runCli(t, edge, [
    'http',
    '--crt',
    join(dir, 'cert.pem'),
    '--key',
    join(dir, 'key.pem'),
    '3000',
    '--config',
    join(dir, 'none.yml'),
  ]);
  const warning = await new Promise<string>((resolve, reject) => {
    createInterface({ input: agent.stderr! }).on('line', (line) => line.startsWith('WARNING:') && resolve(line));
    agent.once('exit', (code) => reject(new Error(`exited with ${code}`)));
  });
  assert.match(warning, /does not cover [a-z2-7]+\.localhost \(no --domain was given/);
});

function runCli(t: TestContext, edge: TestEdge, args: string[]): ChildProcess {
  return spawnPortico(t, args, {
    PORTICO_DATA_DIR: edge.dataDir,
    XDG_CONFIG_HOME: join(edge.dataDir, 'config'),
    PORTICO_AUTHTOKEN: undefined,
    PORTICO_SERVER_ADDR: undefined,
  });
}

/** The exit code and stderr of a child expected to exit on its own. */
async function exited(child: ChildProcess): Promise<[number | null, string]> {
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return [code, stderr];
}
