import { defer } from '../support/defer.ts';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { test } from 'node:test';
import { forward } from '../../src/agent/forward.ts';
import { StreamType } from '../../src/protocol/messages.ts';
import { readJson } from '../../src/protocol/rpc.ts';
import { MuxSession } from '../../src/protocol/session.ts';
import { request } from '../support/client.ts';
import { forwardTo, startTestEdge, type TestEdge } from '../support/edge.ts';
import { startHttpService, sleep } from '../support/services.ts';

async function assertStillServing(edge: TestEdge, url: string): Promise<void> {
  const res = await request(url, { ca: edge.caPem });
  assert.equal(res.status, 200);
}

/** A TLS connection to the agent port, verified with the edge CA. */
async function agentTls(edge: TestEdge): Promise<tls.TLSSocket> {
  const socket = tls.connect({ host: '127.0.0.1', port: edge.ports.agent, ca: edge.caPem });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  return socket;
}

test('bad input: wrong authtoken, taken hostname, garbage and window overruns get clear errors; others keep working', async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (_req, res) => res.end('fine'));
  const common = { serverAddr: edge.serverAddr, caCert: edge.caPem };
  const good = await forward({ ...common, addr: web.port, subdomain: 'taken', authtoken: edge.credentials.authtoken });
  defer(t, () => good.close());

  await assert.rejects(
    forward({ ...common, addr: web.port, authtoken: 'wrong_token' }),
    (err: Error & { code?: string }) =>
      err.code === 'ERR_AUTHTOKEN_INVALID' || /ERR_AUTHTOKEN_INVALID/.test(err.message),
  );
  await assert.rejects(
    forward({ ...common, addr: web.port, subdomain: 'taken', authtoken: edge.credentials.authtoken }),
    (err: Error & { code?: string }) => err.code === 'ERR_HOSTNAME_TAKEN' || /ERR_HOSTNAME_TAKEN/.test(err.message),
  );
  await assert.rejects(
    forward({ ...common, addr: web.port, hostname: 'not valid!.localhost', authtoken: edge.credentials.authtoken }),
    /ERR_HOSTNAME_INVALID/,
  );
  await assert.rejects(
    forward({ ...common, addr: web.port, hostname: 'elsewhere.example.com', authtoken: edge.credentials.authtoken }),
    /ERR_HOSTNAME_NOT_RESERVED/,
  );
  await assertStillServing(edge, good.url);

  // Garbage before TLS: the handshake fails, nothing else happens.
  const raw = net.connect(edge.ports.agent, '127.0.0.1');
  raw.on('error', () => {}).resume();
  raw.write(Buffer.from('this is not TLS at all\r\n\r\n'.repeat(100)));
  await new Promise((r) => raw.once('close', r));

  // Garbage after TLS: a protocol error closes that one session.
  const garbled = await agentTls(edge);
  garbled.on('error', () => {}).resume();
  garbled.write(Buffer.from([0xff, 0xff, 0xff, 0x70, 0, 0, 0, 3, 1, 2, 3]));
  await new Promise((r) => garbled.once('close', r));

  // A stream whose sender ignores the 256 KiB window is reset; the session survives.
  const overrun = await agentTls(edge);
  overrun.on('error', () => {});
  const header = Buffer.alloc(8);
  const payload = Buffer.alloc(300 * 1024);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = (1 << 4) | 0x2; // DATA | SYN
  header.writeUInt32BE(3, 4);
  overrun.write(Buffer.concat([header, payload]));
  const frames: Buffer[] = [];
  overrun.on('data', (d: Buffer) => frames.push(d));
  await sleep(300);
  const reply = Buffer.concat(frames);
  assert.ok(reply.length >= 12, 'the edge answered');
  assert.equal(reply[3]! >> 4, 0, 'with an RST frame');
  assert.equal(reply.readUInt32BE(4), 3, 'on the offending stream');
  assert.equal(reply.readUInt32BE(8), 3, 'code FLOW_CONTROL');
  overrun.destroy();

  // An unauthenticated session may not bind.
  const anon = await agentTls(edge);
  const mux = new MuxSession(anon, { role: 'client' });
  const bind = mux.openStream(StreamType.Bind);
  bind.write(JSON.stringify({ Id: '', Proto: 'https', Opts: {}, Extra: {} }));
  const answer = (await readJson(bind)) as { Error: string };
  assert.match(answer.Error, /ERR_AUTHTOKEN_MISSING/);
  mux.destroy();

  await assertStillServing(edge, good.url);
});

/** Sends raw bytes to a port and collects the reply until the peer closes. */
async function rawExchange(port: number, bytes: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c)).on('error', () => {});
  socket.write(bytes);
  await new Promise((r) => socket.once('close', r));
  return Buffer.concat(chunks).toString();
}

test('bad input on the public ports: a malformed request gets 400 with a code; plain HTTP on the HTTPS port is told to use https', async (t) => {
  const edge = await startTestEdge(t);
  const reply = await rawExchange(edge.ports.http, 'NOT HTTP AT ALL\r\n\r\n');
  assert.match(reply, /^HTTP\/1\.1 400 /);
  assert.match(reply, /portico-error-code: ERR_EDGE_BAD_REQUEST/);
  const plain = await rawExchange(edge.ports.https, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(plain, /^HTTP\/1\.1 400 /);
  assert.match(plain, /use https:\/\//);
  // And the edge still serves.
  const web = await startHttpService(t, (_req, res) => res.end('fine'));
  const tunnel = await forwardTo(t, edge, { addr: web.port });
  await assertStillServing(edge, tunnel.url);
});
