import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import type { PorticoError } from '../errors/catalogue.ts';
import type { TestContext } from 'node:test';
import { StreamType } from '../protocol/messages.ts';
import { AgentSession } from './session.ts';
import type { AgentSessionOptions } from './session.ts';
import { defaultReply as defaultReplyOf, startTestPeer } from '../../test/support/agent-peer.ts';
import type { TestPeer } from '../../test/support/agent-peer.ts';
import { agentVersion } from './version.ts';

const fast = { backoff: { baseMs: 20, capMs: 100 }, timeoutMs: 3_000 } satisfies Partial<AgentSessionOptions>;

async function connected(
  t: TestContext,
  peer: TestPeer,
  options: Partial<AgentSessionOptions> = {},
): Promise<AgentSession> {
  const session = new AgentSession({
    serverAddr: peer.addr,
    ca: peer.caPem,
    authtoken: 'tok',
    metadata: 'sess',
    ...fast,
    ...options,
  });
  t.after(() => session.close());
  await session.connect();
  return session;
}

test('the heartbeat stream comes first, then Auth and Bind with the documented shapes', async (t) => {
  const peer = await startTestPeer(t);
  const session = await connected(t, peer);
  const web = await session.listen({
    proto: 'http',
    forwardsTo: 'http://localhost:3000',
    subdomain: 'web',
    metadata: 'm1',
  });
  assert.deepEqual(peer.opened[0], [StreamType.Heartbeat, StreamType.Auth, StreamType.Bind]);
  assert.equal(peer.servernames[0], false, 'no SNI for an IP literal');
  const auth = peer.of(StreamType.Auth)[0]!.body;
  assert.deepEqual(auth.Version, ['3', '2']);
  assert.equal(auth.ClientId, '');
  assert.deepEqual(Object.keys(auth.Extra).sort(), [
    'Arch',
    'AuthToken',
    'ClientType',
    'Cookie',
    'HeartbeatInterval',
    'HeartbeatTolerance',
    'Hostname',
    'Metadata',
    'OS',
    'RestartUnsupportedError',
    'StopUnsupportedError',
    'UpdateUnsupportedError',
    'UserAgent',
    'Version',
  ]);
  assert.equal(auth.Extra.AuthToken, 'tok');
  assert.equal(auth.Extra.Metadata, 'sess');
  assert.equal(auth.Extra.Version, agentVersion);
  assert.equal(auth.Extra.HeartbeatInterval, 10_000_000_000);
  assert.equal(auth.Extra.StopUnsupportedError, '');
  assert.match(auth.Extra.UpdateUnsupportedError, /not supported/);
  assert.deepEqual(peer.of(StreamType.Bind)[0]!.body, {
    Id: '',
    Proto: 'https',
    ForwardsTo: 'http://localhost:3000',
    ForwardsProto: '',
    Opts: { Domain: '', Hostname: '', Subdomain: 'web', Auth: '', HostHeaderRewrite: false, ProxyProto: 0 },
    Extra: { Token: '', IPPolicyRef: '', Metadata: 'm1', Bindings: [], PoolingEnabled: false },
  });
  assert.match(web.url, /^https:\/\/h\d+\.edge\.test:8443$/);
  assert.equal(web.proto, 'https');
  assert.equal(session.clientId.startsWith('client-'), true);
});

test('a DNS name is sent as SNI, and a region goes into Bind Extra', async (t) => {
  const peer = await startTestPeer(t);
  const session = await connected(t, peer, { serverAddr: `localhost:${peer.port}`, region: 'eu' });
  await session.listen({ proto: 'tcp', forwardsTo: 'localhost:22' });
  assert.equal(peer.servernames[0], 'localhost');
  assert.equal(peer.of(StreamType.Bind)[0]!.body.Extra.Region, 'eu');
});

test('an Auth error fails connect() with the edge text and code, and nothing retries', async (t) => {
  const peer = await startTestPeer(t);
  peer.respond = () => ({ Version: '3', ClientId: '', Error: 'The authtoken is not valid.\nERR_AUTHTOKEN_INVALID' });
  const session = new AgentSession({ serverAddr: peer.addr, ca: peer.caPem, ...fast });
  await assert.rejects(session.connect(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_AUTHTOKEN_INVALID');
    assert.match(err.message, /The authtoken is not valid\. \(ERR_AUTHTOKEN_INVALID\)/);
    return true;
  });
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(peer.conns.length, 1);
  assert.equal(session.state, 'idle');
});

test('an untrusted certificate fails connect() with ERR_AGENT_CONNECT, a refused connection with ERR_AGENT_EDGE_UNREACHABLE', async (t) => {
  const peer = await startTestPeer(t);
  await assert.rejects(new AgentSession({ serverAddr: peer.addr, ...fast }).connect(), { code: 'ERR_AGENT_CONNECT' });
  await assert.rejects(new AgentSession({ serverAddr: '127.0.0.1:1', ...fast }).connect(), (err: PorticoError) => {
    assert.equal(err.code, 'ERR_AGENT_EDGE_UNREACHABLE');
    assert.match(err.message, /portico edge/);
    assert.match(err.message, /127\.0\.0\.1:1: connect ECONNREFUSED/);
    return true;
  });
});

test('after the edge drops the connection the agent resumes and rebinds with the old Id and the response Opts', async (t) => {
  const peer = await startTestPeer(t);
  const session = await connected(t, peer);
  const web = await session.listen({ proto: 'http', forwardsTo: 'http://localhost:3000' });
  const db = await session.listen({ proto: 'tcp', forwardsTo: 'localhost:5432' });
  const labeled = await session.listen({ forwardsTo: 'http://localhost:8081', labels: { edge: 'edghts_1' } });
  const [webUrl, dbUrl, firstLabelId] = [web.url, db.url, labeled.id];
  const firstClientId = session.clientId;
  assert.ok(firstClientId);
  const disconnected = once(session, 'disconnected');
  const reconnected = once(session, 'reconnected');
  peer.conns[0]!.destroy();
  await disconnected;
  await reconnected;

  const auth = peer.of(StreamType.Auth, 1)[0]!.body;
  assert.equal(auth.ClientId, firstClientId);
  assert.equal(auth.Extra.Cookie, 'cookie-0');
  const [rebindWeb, rebindDb] = peer.of(StreamType.Bind, 1).map((r) => r.body);
  const [bindWeb, bindDb] = peer.of(StreamType.Bind, 0);
  assert.equal(rebindWeb!.Id, web.id);
  assert.deepEqual(rebindWeb!.Opts, { ...bindWeb!.body.Opts, Hostname: new URL(webUrl).hostname });
  assert.equal(rebindDb!.Id, db.id);
  assert.deepEqual(rebindDb!.Opts, { Addr: dbUrl.slice('tcp://'.length), ProxyProto: 0 });
  assert.equal(bindDb!.body.Opts.Addr, '');
  assert.deepEqual([web.url, db.url], [webUrl, dbUrl]);
  // A labeled tunnel is started again and re-keyed by its new id.
  assert.equal(peer.of(StreamType.StartTunnelWithLabel, 1).length, 1);
  assert.notEqual(labeled.id, firstLabelId);
  assert.deepEqual(session.tunnels.map((l) => l.id).sort(), [web.id, db.id, labeled.id].sort());
  assert.deepEqual(peer.opened[1]!.slice(0, 2), [StreamType.Heartbeat, StreamType.Auth]);
});

test('a GOAWAY from the edge means reconnect now, without backoff', async (t) => {
  const peer = await startTestPeer(t);
  const session = await connected(t, peer, { backoff: { baseMs: 60_000, capMs: 60_000 } });
  const reconnecting = once(session, 'reconnecting');
  const reconnected = once(session, 'reconnected');
  peer.conns[0]!.goAway();
  const [info] = (await reconnecting) as [{ delayMs: number }];
  assert.equal(info.delayMs, 0);
  await reconnected;
  assert.equal(peer.conns.length, 2);
});

test('a rejected rebind emits bind-error and the reconnect is retried until it succeeds', async (t) => {
  const peer = await startTestPeer(t);
  const session = await connected(t, peer);
  const web = await session.listen({ proto: 'http', forwardsTo: 'http://localhost:3000' });
  let refusals = 2;
  peer.respond = (req) =>
    req.type === StreamType.Bind && refusals-- > 0
      ? { Error: 'This hostname is already bound.\nERR_HOSTNAME_TAKEN' }
      : defaultReplyOf(req);
  const errors: Array<{ code?: string; id: string }> = [];
  session.on('bind-error', (err: Error & { code?: string }, l) => errors.push({ code: err.code, id: l.id }));
  const reconnected = once(session, 'reconnected');
  peer.conns[0]!.destroy();
  await reconnected;
  assert.deepEqual(errors, [
    { code: 'ERR_HOSTNAME_TAKEN', id: web.id },
    { code: 'ERR_HOSTNAME_TAKEN', id: web.id },
  ]);
  assert.equal(peer.conns.length, 4);
  assert.equal(peer.of(StreamType.Bind, 3)[0]!.body.Id, web.id);
});

test('no heartbeat echo: the agent drops the connection and reconnects', async (t) => {
  const peer = await startTestPeer(t);
  peer.echo = false;
  const session = await connected(t, peer, { heartbeatIntervalMs: 50, heartbeatToleranceMs: 50 });
  peer.echo = true;
  const [info] = (await once(session, 'disconnected')) as [{ remote: boolean; message: string }];
  assert.equal(info.remote, false);
  assert.match(info.message, /no heartbeat/);
  await once(session, 'reconnected');
});

test('listen() rejects with the edge error; close() sends Unbind; a closed session reconnects no more', async (t) => {
  const peer = await startTestPeer(t);
  const session = await connected(t, peer);
  peer.respond = (req) => (req.type === StreamType.Bind ? { Error: 'taken\nERR_HOSTNAME_TAKEN' } : defaultReplyOf(req));
  await assert.rejects(session.listen({ forwardsTo: 'http://localhost:1', hostname: 'x.test' }), {
    code: 'ERR_HOSTNAME_TAKEN',
  });
  peer.respond = defaultReplyOf;
  const web = await session.listen({ forwardsTo: 'http://localhost:1' });
  await web.close();
  assert.deepEqual(peer.of(StreamType.Unbind)[0]!.body, { Id: web.id });
  assert.equal(session.tunnels.length, 0);
  await session.close();
  assert.equal(session.state, 'closed');
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(peer.conns.length, 1);
  await assert.rejects(session.listen({ forwardsTo: 'x:1' }), { code: 'ERR_AGENT_CONNECT' });
});

test('close() while connect() is in flight wins: connect rejects and nothing stays open', async (t) => {
  const peer = await startTestPeer(t);
  const session = new AgentSession({ serverAddr: peer.addr, ca: peer.caPem, ...fast });
  const connecting = session.connect();
  await session.close();
  await assert.rejects(connecting, { code: 'ERR_AGENT_CONNECT' });
  assert.equal(session.state, 'closed');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(
    peer.conns.every((c) => c.isClosed),
    true,
  );
});
