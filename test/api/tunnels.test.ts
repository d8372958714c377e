import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import ngrokSdk from '@ngrok/ngrok';
import { updateUnsupported } from '../../src/agent/commands.ts';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { defer } from '../support/defer.ts';
import { forwardTo, startTestEdge, type TestEdge } from '../support/edge.ts';
import { eventually, sleep, startHttpService } from '../support/services.ts';

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Our agent, forwarding to `port`, closed after the test. */
async function ourAgent(
  t: TestContext,
  edge: TestEdge,
  port: number,
  extra: { labels?: Record<string, string>; subdomain?: string; metadata?: string } = {},
) {
  const fwd = await forwardTo(t, edge, {
    addr: port,
    sessionMetadata: 'ours',
    ...extra,
  });
  return fwd;
}

test('/tunnels and /tunnel_sessions show live tunnels of our agent and the official SDK', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const web = await startHttpService(t, (_req, res) => res.end('ok'));
  const tg = await ngrok.backends.tunnelGroupBackends.create({
    labels: { app: 'x' } as unknown as Map<string, string>,
  });

  const http = await ourAgent(t, edge, web.port, { subdomain: 'shown', metadata: 'tunnel-meta' });
  const labeled = await ourAgent(t, edge, web.port, { labels: { app: 'x' } });
  const session = await new ngrokSdk.SessionBuilder()
    .serverAddr(edge.serverAddr)
    .caCert(Buffer.from(edge.caPem))
    .authtoken(edge.credentials.authtoken)
    .metadata('sdk-meta')
    .connect();
  defer(t, () => Promise.race([session.close().catch(() => {}), sleep(2000)]));
  const sdk = await session.labeledListener().label('app', 'x').label('env', 'dev').listenAndForward(web.url);

  const tunnels = await ngrok.tunnels.list();
  assert.deepEqual(tunnels.map((x) => x.id).sort(), [http.id, labeled.id, sdk.id()].sort());
  const endpoint = await ngrok.tunnels.get(http.id);
  assert.equal(endpoint.publicUrl, `https://shown.localhost:${edge.ports.https}`);
  assert.equal(endpoint.proto, 'https');
  assert.equal(endpoint.metadata, 'tunnel-meta');
  assert.equal(endpoint.region, 'local');
  assert.match(endpoint.forwardsTo, new RegExp(`:${web.port}$`));
  assert.deepEqual(endpoint.labels, {});
  assert.deepEqual(endpoint.backends, []);
  const [listed] = (await apiFetch(edge, 'GET', `/endpoints?urls=${encodeURIComponent(endpoint.publicUrl)}`)).body
    .endpoints as Array<{ id: string; uri: string }>;
  assert.deepEqual(endpoint.endpoint, { id: listed!.id, uri: listed!.uri }, 'the endpoint /endpoints lists');
  const raw = await apiFetch(edge, 'GET', `/tunnels/${http.id}`);
  assert.match(String(raw.body.started_at), RFC3339);
  const ourSessionRef = raw.body.tunnel_session as { id: string; uri: string };
  assert.match(ourSessionRef.id, /^ts_/);
  assert.equal(ourSessionRef.uri, `${edge.bootstrap.api_url}/tunnel_sessions/${ourSessionRef.id}`);

  const sdkTunnel = await ngrok.tunnels.get(sdk.id());
  assert.deepEqual(sdkTunnel.labels, { app: 'x', env: 'dev' });
  assert.deepEqual(sdkTunnel.backends, [
    { id: tg.id, uri: `${edge.bootstrap.api_url}/backends/tunnel_group/${tg.id}` },
  ]);
  assert.equal(sdkTunnel.publicUrl, '');
  assert.equal(sdkTunnel.proto, '');
  assert.equal(sdkTunnel.forwardsTo, `${web.url}/`);
  assert.equal(sdkTunnel.endpoint, null, 'a labeled tunnel is no endpoint');
  assert.deepEqual(
    (await ngrok.tunnels.get(labeled.id)).backends?.map((r) => r.id),
    [tg.id],
  );

  // Sessions: ours (two, one per forward()) and the SDK's.
  const sessions = await ngrok.tunnelSessions.list();
  assert.equal(sessions.length, 3);
  const sdkSession = sessions.find((s) => s.metadata === 'sdk-meta')!;
  assert.equal(sdkSession.id, sdkTunnel.tunnelSession.id);
  const ours = await ngrok.tunnelSessions.get(ourSessionRef.id);
  assert.equal(ours.metadata, 'ours');
  assert.equal(ours.ip, '127.0.0.1');
  assert.equal(ours.region, 'local');
  assert.equal(ours.transport, 'ngrok/v2');
  assert.ok(ours.os && ours.agentVersion);
  const [credential] = await ngrok.credentials.list();
  assert.deepEqual(ours.credential, {
    id: credential!.id,
    uri: `${edge.bootstrap.api_url}/credentials/${credential!.id}`,
  });
  assert.match(String((await apiFetch(edge, 'GET', `/tunnel_sessions/${ours.id}`)).body.started_at), RFC3339);

  // Paging of live lists: newest id first, before_id honoured, next_page_uri null at the end.
  const ids = tunnels
    .map((x) => x.id)
    .sort()
    .reverse();
  const first = await apiFetch(edge, 'GET', '/tunnels?limit=2');
  assert.deepEqual(
    (first.body.tunnels as Array<{ id: string }>).map((x) => x.id),
    ids.slice(0, 2),
  );
  assert.match(String(first.body.next_page_uri), /before_id=/);
  const last = await apiFetch(edge, 'GET', `/tunnels?limit=2&beforeId=${encodeURIComponent(ids[1]!)}`);
  assert.deepEqual(
    (last.body.tunnels as Array<{ id: string }>).map((x) => x.id),
    [ids[2]],
  );
  assert.equal(last.body.next_page_uri, null);
  assert.deepEqual(
    (await ngrok.tunnelSessions.list(undefined, '1')).map((s) => s.id),
    sessions.map((s) => s.id),
  );
  assert.deepEqual(
    (await ngrok.tunnels.list(undefined, '1')).map((x) => x.id),
    ids,
  );

  // Another account sees none of them.
  const other = await otherAccount(edge);
  assert.deepEqual((await apiFetch(edge, 'GET', '/tunnels', undefined, other.apiKey)).body.tunnels, []);
  assert.deepEqual((await apiFetch(edge, 'GET', '/tunnel_sessions', undefined, other.apiKey)).body.tunnel_sessions, []);
  assert.equal((await apiFetch(edge, 'GET', `/tunnels/${http.id}`, undefined, other.apiKey)).status, 404);
  assert.equal((await apiFetch(edge, 'GET', `/tunnel_sessions/${ours.id}`, undefined, other.apiKey)).status, 404);
  assert.equal((await apiFetch(edge, 'POST', `/tunnel_sessions/${ours.id}/stop`, ours.id, other.apiKey)).status, 404);
  await assert.rejects(
    ngrok.tunnels.get('tn_00000000000000000000000000'),
    (e: { statusCode?: number }) => e.statusCode === 404,
  );

  await http.close();
  await eventually(async () => (await ngrok.tunnels.list()).length === 2, 5000, 'closed tunnel to disappear');
});

test('tunnel session commands: restart reaches the SDK and reconnects our agent, stop ends it, update is refused', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const web = await startHttpService(t, (_req, res) => res.end('ok'));
  const sdkSession = async (metadata: string, onRestart?: () => void) => {
    let builder = new ngrokSdk.SessionBuilder()
      .serverAddr(edge.serverAddr)
      .caCert(Buffer.from(edge.caPem))
      .authtoken(edge.credentials.authtoken)
      .metadata(metadata);
    if (onRestart) builder = builder.handleRestartCommand(onRestart);
    const session = await builder.connect();
    defer(t, () => Promise.race([session.close().catch(() => {}), sleep(2000)]));
    return (await ngrok.tunnelSessions.list()).find((s) => s.metadata === metadata)!.id;
  };
  const sessionId = async (metadata: string) =>
    (await ngrok.tunnelSessions.list()).find((s) => s.metadata === metadata)?.id;

  // The official SDK hands restart to the application's handler (the app decides how to restart).
  let restarts = 0;
  const withHandler = await sdkSession('sdk-handler', () => void restarts++);
  assert.deepEqual(await ngrok.tunnelSessions.restart(withHandler), {});
  await eventually(() => restarts === 1, 5000, 'the SDK restart handler');
  // Without a handler it refuses, and the API says so with the agent's words.
  const without = await sdkSession('sdk-plain');
  await assert.rejects(
    ngrok.tunnelSessions.restart(without),
    (e: { errorCode?: string; statusCode?: number; msg?: string }) => {
      return e.statusCode === 400 && e.errorCode === 'ERR_AGENT_COMMAND_FAILED' && /callback/.test(e.msg!);
    },
  );

  // Our agent: restart drops the connection and reconnects at once, keeping its tunnel.
  const ours = await forwardTo(t, edge, {
    addr: web.port,
    sessionMetadata: 'ours',
  });
  const oursId = (await sessionId('ours'))!;
  const firstMux = edge.registry.sessions.get(oursId)!.mux;
  const reconnected = new Promise<void>((resolve) => ours.session.once('reconnected', () => resolve()));
  assert.deepEqual(await ngrok.tunnelSessions.restart(oursId), {});
  await reconnected;
  const again = (await sessionId('ours'))!;
  assert.notEqual(edge.registry.sessions.get(again)!.mux, firstMux, 'a new connection');
  assert.equal((await ngrok.tunnels.get(ours.id)).tunnelSession.id, again);

  // Update is refused with the agent's own message; stop ends the session for good.
  await assert.rejects(
    ngrok.tunnelSessions.update({ id: again }),
    (e: { errorCode?: string; statusCode?: number; msg?: string }) => {
      return e.statusCode === 400 && e.errorCode === 'ERR_NGROK_806' && e.msg!.includes(updateUnsupported);
    },
  );
  const stopped = new Promise<void>((resolve) => ours.session.once('stop', () => resolve()));
  assert.deepEqual(await ngrok.tunnelSessions.stop(again), {});
  await stopped;
  await eventually(async () => (await sessionId('ours')) === undefined, 5000, 'stopped session to disappear');
  await assert.rejects(ngrok.tunnelSessions.stop(again), (e: { statusCode?: number }) => e.statusCode === 404);
  assert.equal(
    (await apiFetch(edge, 'POST', '/tunnel_sessions/ts_00000000000000000000000000/restart', 'ts_0')).status,
    404,
  );
});
