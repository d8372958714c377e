/**
 * Test support for the agent's unit tests: a minimal protocol peer (TLS + a server MuxSession)
 * that records what the agent sends and answers Auth / Bind / StartTunnelWithLabel / Unbind.
 * It checks the agent's side of the wire only; the real edge is exercised by test/e2e/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { issueLeafCertificate, loadOrCreateLocalCa } from '../../src/edge/tls/local-ca.ts';
import { echoHeartbeats } from '../../src/protocol/heartbeat.ts';
import { StreamType } from '../../src/protocol/messages.ts';
import type { ProxyHeader } from '../../src/protocol/messages.ts';
import { encodeProxyHeader } from '../../src/protocol/proxy-header.ts';
import { readJson, writeJsonAndEnd } from '../../src/protocol/rpc.ts';
import { MuxSession } from '../../src/protocol/session.ts';
import type { MuxStream } from '../../src/protocol/stream.ts';

export interface PeerRequest {
  conn: number;
  type: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the peer's JSON freely.
  body: Record<string, any>;
}

/** Answers one RPC; undefined leaves the stream unanswered. */
export type Responder = (req: PeerRequest, peer: TestPeer) => unknown;

export interface TestPeer {
  /** `127.0.0.1:<port>`. */
  addr: string;
  port: number;
  caPem: string;
  /** One muxado session per agent connection, in order. */
  conns: MuxSession[];
  /** The SNI each connection sent (false for none). */
  servernames: Array<string | false>;
  /** Stream types the agent opened, per connection, in order. */
  opened: number[][];
  requests: PeerRequest[];
  /** Replace to change answers; `defaultReply` is the normal edge behaviour. */
  respond: Responder;
  /** When false, heartbeats are not echoed (to make the agent time out). */
  echo: boolean;
  latest(): MuxSession;
  /** Opens a proxy stream on the latest connection and writes the header. */
  openProxy(header: Partial<ProxyHeader> & { Id: string }): MuxStream;
  /** Opens a command stream (Stop, Restart, Update, StopTunnel) and writes `body`. */
  command(type: number, body: unknown): MuxStream;
  /** Requests of `type` (optionally on connection `conn`). */
  of(type: number, conn?: number): PeerRequest[];
}

let counter = 0;

/** The edge's normal answers: ids tun_N / lbl_N, an assigned hostname or address in the Opts. */
export function defaultReply(req: PeerRequest): unknown {
  const b = req.body;
  switch (req.type) {
    case StreamType.Auth:
      return {
        Version: '3',
        ClientId: b.ClientId || `client-${++counter}`,
        Extra: { Cookie: `cookie-${req.conn}`, Region: 'local' },
      };
    case StreamType.Bind: {
      const id = b.Id || `tun_${++counter}`;
      const tcp = b.Proto === 'tcp';
      const assigned = tcp
        ? { Addr: b.Opts.Addr || `edge.test:${20000 + counter}` }
        : { Hostname: b.Opts.Hostname || `h${counter}.edge.test` };
      const opts = { ...b.Opts, ...assigned };
      const url = tcp ? `tcp://${opts.Addr}` : `${b.Proto}://${opts.Hostname}:8443`;
      return { Id: id, URL: url, Proto: b.Proto, Opts: opts, Extra: { Token: '' } };
    }
    case StreamType.StartTunnelWithLabel:
      return { Id: `lbl_${++counter}` };
    default:
      return {};
  }
}

export async function startTestPeer(t: TestContext): Promise<TestPeer> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-peer-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const ca = await loadOrCreateLocalCa(dir);
  const leaf = await issueLeafCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const peer = {} as TestPeer;
  const server = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => accept(peer, socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(peer, {
    addr: `127.0.0.1:${port}`,
    port,
    caPem: ca.certPem,
    conns: [],
    servernames: [],
    opened: [],
    requests: [],
    respond: defaultReply,
    echo: true,
    latest: () => peer.conns.at(-1)!,
    openProxy: (h: Partial<ProxyHeader> & { Id: string }) => {
      const stream = peer.latest().openStream(StreamType.Proxy);
      stream.write(
        encodeProxyHeader({
          ClientAddr: '203.0.113.7:5555',
          Proto: 'https',
          EdgeType: '',
          PassthroughTLS: false,
          ...h,
        }),
      );
      return stream;
    },
    command: (type: number, body: unknown) => {
      const stream = peer.latest().openStream(type);
      stream.write(JSON.stringify(body));
      return stream;
    },
    of: (type: number, conn?: number) =>
      peer.requests.filter((r) => r.type === type && (conn === undefined || r.conn === conn)),
  });
  t.after(async () => {
    for (const mux of peer.conns) mux.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return peer;
}

function accept(peer: TestPeer, socket: tls.TLSSocket): void {
  socket.on('error', () => socket.destroy());
  const conn = peer.conns.length;
  const mux = new MuxSession(socket, { role: 'server' });
  peer.conns.push(mux);
  peer.servernames.push((socket as tls.TLSSocket & { servername: string | false }).servername);
  peer.opened.push([]);
  mux.on('stream', (stream) => {
    peer.opened[conn]!.push(stream.type);
    if (stream.type === StreamType.Heartbeat) return void (peer.echo ? echoHeartbeats(stream) : stream.resume());
    void answer(peer, conn, stream);
  });
}

async function answer(peer: TestPeer, conn: number, stream: MuxStream): Promise<void> {
  const body = (await readJson(stream, { timeoutMs: 5_000 }).catch(() => undefined)) as PeerRequest['body'] | undefined;
  if (!body) return void stream.reset();
  const req = { conn, type: stream.type, body };
  peer.requests.push(req);
  const reply = peer.respond(req, peer);
  if (reply !== undefined) writeJsonAndEnd(stream, reply);
}

/** Reads everything until the stream ends or closes. */
export function readAll(stream: MuxStream): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    const done = () => resolve(Buffer.concat(chunks));
    stream.once('end', done).once('close', done);
  });
}

/** Polls `check` every 10 ms until it is truthy; fails after `ms` milliseconds. */
export async function waitFor<T>(check: () => T, what: string, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
