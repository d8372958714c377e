/**
 * An account's IP restrictions (`/ip_restrictions`), made with the official API client and
 * enforced where they say: `endpoints` at every endpoint of the account (official SDK agent
 * endpoints and edges), `agent` at the official SDK's Auth and on sessions already open, `api`
 * on every API call. 127.0.0.1 and 127.0.0.2 are two sources (support/from-address.ts).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import ngrokSdk from '@ngrok/ngrok';
import type { Ngrok } from '@ngrok/ngrok-api';
import WebSocket from 'ws';
import { createLogger } from '../../src/log/logger.ts';
import { apiClient, apiFetch, apiFetchFrom, otherAccount } from '../support/api.ts';
import { loopbackLookup } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { httpResponseBackend, httpsEdge, reserve, tunnelGroupBackend } from '../support/edges.ts';
import { startTestEdge, tempDir } from '../support/edge.ts';
import { getFrom, tcpFrom } from '../support/from-address.ts';
import { logLines } from '../support/log-lines.ts';
import { sdkForward, sdkSession } from '../support/sdk.ts';
import {
  eventually,
  recordingTcpService,
  sleep,
  startEchoService,
  startHttpService,
  startWebSocketEcho,
} from '../support/services.ts';
import { eventsAtLeast, startReceiver, subscribeReceiver } from './events/receiver.ts';

/** An IP policy of `ngrok`'s account with one rule per CIDR, each allowing. */
async function allowing(ngrok: Ngrok, ...cidrs: string[]): Promise<{ policyId: string; ruleIds: string[] }> {
  const { id: policyId } = await ngrok.ipPolicies.create({ description: `allows ${cidrs.join(', ')}` });
  const ruleIds: string[] = [];
  for (const cidr of cidrs)
    ruleIds.push((await ngrok.ipPolicyRules.create({ ipPolicyId: policyId, cidr, action: 'allow' })).id);
  return { policyId, ruleIds };
}

test("endpoints: the account's restriction refuses a source at its agent endpoints and edges, and nowhere else", async (t) => {
  const log = logLines();
  const edge = await startTestEdge(t, { config: { logger: createLogger({ format: 'json', sink: log.sink }) } });
  const ngrok = apiClient(edge);

  // The account's endpoints: an official SDK HTTPS endpoint, an SDK TCP endpoint, an HTTPS edge and a TCP edge.
  const web = await startHttpService(t, (_req, res) => res.end('served'));
  const agentHttps = new URL((await sdkForward(t, edge, { addr: web.port })).url()!).hostname;
  const tcpService = await recordingTcpService(t);
  const agentTcp = Number(new URL((await sdkForward(t, edge, { proto: 'tcp', addr: tcpService.port })).url()!).port);
  await reserve(ngrok, 'ipx.example.com');
  await httpsEdge(ngrok, ['ipx.example.com:443'], [{ backendId: await httpResponseBackend(ngrok, 'edge page') }]);
  const sdk = await sdkSession(t, edge);
  await sdk.labeledListener().label('svc', 'ipx').listenAndForward(`tcp://127.0.0.1:${tcpService.port}`);
  const tcpEdge = await ngrok.edges.edgesTcp.create({
    backend: { backendId: await tunnelGroupBackend(ngrok, { svc: 'ipx' }) },
  });
  const edgeTcp = Number(tcpEdge.hostports![0]!.split(':')[1]);

  // Another account's endpoint, which the first account's restriction must not touch.
  const other = await otherAccount(edge);
  const theirs = await startHttpService(t, (_req, res) => res.end('theirs'));
  const otherHost = new URL((await sdkForward(t, edge, { addr: theirs.port, authtoken: other.authtoken })).url()!)
    .hostname;

  const receiver = await startReceiver(t);
  await subscribeReceiver(ngrok, receiver, [
    { type: 'http_request_complete.v0', fields: ['conn.client_ip', 'http.response.status_code'] },
    { type: 'tcp_connection_closed.v0', fields: ['conn.client_ip', 'conn.server_port', 'endpoint.id'] },
  ]);
  await edge.events.settled();
  const { policyId } = await allowing(ngrok, '127.0.0.1/32');
  const restriction = await ngrok.ipRestrictions.create({
    type: 'endpoints',
    ipPolicyIds: [policyId],
    enforced: true,
    description: 'office only',
  });
  assert.equal(restriction.type, 'endpoints');
  assert.equal(restriction.enforced, true);
  assert.deepEqual(
    restriction.ipPolicies.map((p) => p.id),
    [policyId],
  );
  await edge.snapshots.settled();

  const served = (host: string, from: string) => getFrom(edge, host, from);
  assert.equal((await served(agentHttps, '127.0.0.1')).body, 'served');
  assert.equal((await served('ipx.example.com', '127.0.0.1')).body, 'edge page');
  for (const host of [agentHttps, 'ipx.example.com']) {
    const refused = await served(host, '127.0.0.2');
    assert.equal(refused.status, 403, host);
    assert.equal(refused.code, 'ERR_NGROK_3205', host);
  }
  assert.equal(await tcpFrom(agentTcp, '127.0.0.1', 'agent tcp'), 'echo');
  assert.equal(await tcpFrom(agentTcp, '127.0.0.2', 'refused at the agent endpoint'), '');
  assert.equal(await tcpFrom(edgeTcp, '127.0.0.1', 'edge tcp'), 'echo');
  assert.equal(await tcpFrom(edgeTcp, '127.0.0.2', 'refused at the edge'), '');
  await sleep(200);
  assert.deepEqual(tcpService.seen.sort(), ['agent tcp', 'edge tcp'], 'refused sources never reach the service');
  assert.equal((await served(otherHost, '127.0.0.2')).body, 'theirs', "another account's endpoint is not restricted");
  // The refused requests are in the account's traffic events, with their 403, and the refused
  // connections with the endpoint they were refused at.
  const traffic = await eventsAtLeast(receiver, 8);
  const refusals = traffic.filter(
    (e) => (e.object.http as { response: { status_code: number } } | undefined)?.response.status_code === 403,
  );
  assert.deepEqual(
    refusals.map((e) => (e.object.conn as { client_ip: string }).client_ip),
    ['127.0.0.2', '127.0.0.2'],
  );
  const connections = traffic
    .filter((e) => e.object.http === undefined)
    .map((e) => {
      const { conn, endpoint } = e.object as {
        conn: { client_ip: string; server_port: number };
        endpoint: { id: string };
      };
      return `${conn.server_port} ${conn.client_ip} ${endpoint.id.slice(0, 3)}`;
    });
  assert.deepEqual(
    connections.sort(),
    [agentTcp, agentTcp, edgeTcp, edgeTcp].flatMap((port, i) => `${port} 127.0.0.${(i % 2) + 1} ep_`).sort(),
  );

  // Not enforced: the source is let in and the edge's log says which restriction would have refused it, once.
  await ngrok.ipRestrictions.update({ id: restriction.id, enforced: false, ipPolicyIds: [policyId] });
  await edge.snapshots.settled();
  assert.equal((await served(agentHttps, '127.0.0.2')).body, 'served');
  assert.equal((await served('ipx.example.com', '127.0.0.2')).body, 'edge page');
  const warnings = log.lines.filter((l) => l.restriction === restriction.id);
  assert.equal(warnings.length, 1, JSON.stringify(warnings));
  assert.equal(warnings[0]!.lvl, 'warn');
  assert.equal(warnings[0]!.ip, '127.0.0.2');

  // Enforced again, then deleted: the restriction goes with its record.
  await ngrok.ipRestrictions.update({ id: restriction.id, enforced: true, ipPolicyIds: [policyId] });
  await edge.snapshots.settled();
  assert.equal((await served(agentHttps, '127.0.0.2')).status, 403);
  await ngrok.ipRestrictions.delete(restriction.id);
  await edge.snapshots.settled();
  assert.equal((await served(agentHttps, '127.0.0.2')).body, 'served');
  assert.equal(await tcpFrom(edgeTcp, '127.0.0.2', 'after delete'), 'echo');
});

test('endpoints: a restriction made later closes the TCP connections and WebSockets already open from a source it refuses', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const echo = await startEchoService(t);
  const tcpPort = Number(new URL((await sdkForward(t, edge, { proto: 'tcp', addr: echo.port })).url()!).port);
  const chat = await startWebSocketEcho(t);
  const wsUrl = (await sdkForward(t, edge, { addr: chat.port })).url()!.replace('https:', 'wss:');

  const tcpFromSource = async (localAddress: string) => {
    const socket = net.connect({ host: '127.0.0.1', port: tcpPort, localAddress });
    defer(t, () => socket.destroy());
    socket.write('ping');
    await once(socket, 'data');
    return socket;
  };
  const wsFromSource = async (localAddress: string) => {
    const ws = new WebSocket(wsUrl, {
      ca: edge.caPem,
      lookup: loopbackLookup,
      localAddress,
    } as WebSocket.ClientOptions);
    defer(t, () => ws.terminate());
    await once(ws, 'open');
    return ws;
  };
  const [tcpRefused, tcpKept] = [await tcpFromSource('127.0.0.2'), await tcpFromSource('127.0.0.1')];
  const [wsRefused, wsKept] = [await wsFromSource('127.0.0.2'), await wsFromSource('127.0.0.1')];

  const { policyId } = await allowing(ngrok, '127.0.0.1/32');
  await ngrok.ipRestrictions.create({ type: 'endpoints', ipPolicyIds: [policyId], enforced: true });
  await edge.snapshots.settled();
  await eventually(
    () => tcpRefused.closed && wsRefused.readyState === WebSocket.CLOSED,
    5000,
    "the refused source's connections closed",
  );

  // The allowed source's connections carry on.
  tcpKept.write('still here');
  assert.equal(String((await once(tcpKept, 'data'))[0]), 'still here');
  wsKept.send('still here');
  assert.equal(String((await once(wsKept, 'message'))[0]), 'still here');
});

test('a restart keeps them: the first request after it is already checked', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startTestEdge(t, { dataDir });
  const ngrok = apiClient(first);
  await reserve(ngrok, 'kept.example.com');
  await httpsEdge(ngrok, ['kept.example.com:443'], [{ backendId: await httpResponseBackend(ngrok, 'kept') }]);
  const { policyId } = await allowing(ngrok, '127.0.0.1/32');
  await ngrok.ipRestrictions.create({ type: 'endpoints', ipPolicyIds: [policyId], enforced: true });
  await first.close();

  const second = await startTestEdge(t, { dataDir });
  const refused = await getFrom(second, 'kept.example.com', '127.0.0.2');
  assert.equal(refused.code, 'ERR_NGROK_3205');
  assert.equal((await getFrom(second, 'kept.example.com', '127.0.0.1')).body, 'kept');
});

test('agent: a refused address cannot open a session, and a session already open from it is ended', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const connect = () =>
    new ngrokSdk.SessionBuilder()
      .serverAddr(edge.serverAddr)
      .caCert(Buffer.from(edge.caPem))
      .authtoken(edge.credentials.authtoken)
      .connect();
  const open = await connect();
  defer(t, () => Promise.race([open.close().catch(() => {}), sleep(2000)]));
  await eventually(async () => (await ngrok.tunnelSessions.list()).length === 1, 5000, 'the session is listed');

  // Only 127.0.0.2 may connect agents; the SDK connects from 127.0.0.1.
  const { policyId } = await allowing(ngrok, '127.0.0.2/32');
  const restriction = await ngrok.ipRestrictions.create({ type: 'agent', ipPolicyIds: [policyId], enforced: true });
  await edge.snapshots.settled();
  await eventually(async () => (await ngrok.tunnelSessions.list()).length === 0, 5000, 'the open session is ended');
  await assert.rejects(connect(), /ERR_NGROK_115/);
  // The API is another type: it still answers from 127.0.0.1.
  assert.equal((await ngrok.ipRestrictions.get(restriction.id)).type, 'agent');

  // Allowing 127.0.0.1 too lets agents in again.
  await ngrok.ipPolicyRules.create({ ipPolicyId: policyId, cidr: '127.0.0.1/32', action: 'allow' });
  await edge.snapshots.settled();
  const again = await connect();
  defer(t, () => Promise.race([again.close().catch(() => {}), sleep(2000)]));
});

test('api: a refused address gets 403 ERR_NGROK_1212; a change that would refuse its own caller is not made', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const other = await otherAccount(edge);
  const { policyId, ruleIds } = await allowing(ngrok, '127.0.0.2/32');

  // Made from 127.0.0.1, an API restriction allowing only 127.0.0.2 would lock its maker out.
  const fromHere = await apiFetch(edge, 'POST', '/ip_restrictions', {
    type: 'api',
    ip_policy_ids: [policyId],
    enforced: true,
  });
  assert.equal(fromHere.status, 400, JSON.stringify(fromHere.body));
  assert.equal(fromHere.body.error_code, 'ERR_IP_RESTRICTION_LOCKOUT');
  assert.match(String(fromHere.body.msg), /^This change would refuse the address .*\(you call from 127\.0\.0\.1\)$/);
  assert.equal((await ngrok.ipRestrictions.list()).length, 0, 'nothing was stored');

  // Made from 127.0.0.2 it is allowed; from then on 127.0.0.1 is refused, for this account only.
  const made = await apiFetchFrom(edge, '127.0.0.2', 'POST', '/ip_restrictions', {
    type: 'api',
    ip_policy_ids: [policyId],
    enforced: true,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await edge.snapshots.settled();
  await assert.rejects(ngrok.ipPolicies.list(), (err: { errorCode?: string; statusCode?: number }) => {
    assert.equal(err.errorCode, 'ERR_NGROK_1212');
    assert.match(String((err as { msg?: string }).msg), /API IP restriction.*\(you call from 127\.0\.0\.1\)/);
    assert.equal(err.statusCode, 403);
    return true;
  });
  assert.equal((await apiFetchFrom(edge, '127.0.0.2', 'GET', '/ip_policies')).status, 200);
  assert.equal((await apiFetch(edge, 'GET', '/ip_policies', undefined, other.apiKey)).status, 200);

  // Deleting the rule that lets 127.0.0.2 in would lock it out too.
  const unlock = await apiFetchFrom(edge, '127.0.0.2', 'DELETE', `/ip_policy_rules/${ruleIds[0]!}`);
  assert.equal(unlock.status, 400, JSON.stringify(unlock.body));
  assert.equal(unlock.body.error_code, 'ERR_IP_RESTRICTION_LOCKOUT');

  // Deleted from 127.0.0.2, the restriction lets 127.0.0.1 back in.
  assert.equal(
    (await apiFetchFrom(edge, '127.0.0.2', 'DELETE', `/ip_restrictions/${String(made.body.id)}`)).status,
    200,
  );
  await edge.snapshots.settled();
  assert.equal((await ngrok.ipPolicies.list()).length, 1);
});

test('bad input: unknown and dashboard types, no or foreign policies, a type change, a policy in use', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const other = await otherAccount(edge);
  const { policyId } = await allowing(ngrok, '10.0.0.0/8');
  const { id: theirPolicy } = await apiClient(edge, other.apiKey).ipPolicies.create({});
  const refused = async (body: unknown, code: string, field: RegExp) => {
    const res = await apiFetch(edge, 'POST', '/ip_restrictions', body);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.error_code, code, JSON.stringify(res.body));
    assert.match(String(res.body.msg), field);
  };
  await refused({ type: 'dashboard', ip_policy_ids: [policyId] }, 'ERR_NGROK_1803', /no dashboard/);
  await refused({ type: 'ssh', ip_policy_ids: [policyId] }, 'ERR_NGROK_1803', /agent, api, endpoints/);
  await refused({ type: 'agent', ip_policy_ids: [] }, 'ERR_NGROK_1804', /ip_policy_ids/);
  await refused({ type: 'agent' }, 'ERR_NGROK_215', /ip_policy_ids/);
  await refused({ type: 'agent', ip_policy_ids: ['ipp_missing'] }, 'ERR_NGROK_1607', /ip_policy_ids\[0\]/);
  await refused({ type: 'agent', ip_policy_ids: [policyId, theirPolicy] }, 'ERR_NGROK_1607', /ip_policy_ids\[1\]/);
  // Size bounds: at most 100 policies of 64 characters each.
  await refused({ type: 'agent', ip_policy_ids: Array(101).fill(policyId) }, 'ERR_NGROK_215', /ip_policy_ids/);
  await refused({ type: 'agent', ip_policy_ids: [`ipp_${'x'.repeat(61)}`] }, 'ERR_NGROK_215', /ip_policy_ids/);
  await refused(
    { type: 'agent', ip_policy_ids: [policyId], description: 'd'.repeat(300) },
    'ERR_NGROK_420',
    /description/,
  );
  assert.equal((await ngrok.ipRestrictions.list()).length, 0);

  const made = (await apiFetch(edge, 'POST', '/ip_restrictions', { type: 'agent', ip_policy_ids: [policyId] }))
    .body as {
    id: string;
    enforced: boolean;
  };
  assert.equal(made.enforced, false, 'as on ngrok, a restriction only warns until it is enforced');
  const retype = await apiFetch(edge, 'PATCH', `/ip_restrictions/${made.id}`, { type: 'api' });
  assert.equal(retype.status, 400);
  assert.equal(retype.body.error_code, 'ERR_NGROK_215');
  const inUse = await apiFetch(edge, 'DELETE', `/ip_policies/${policyId}`);
  assert.equal(inUse.status, 400, JSON.stringify(inUse.body));
  assert.match(String(inUse.body.msg), new RegExp(made.id));
  // Another account sees none of it.
  assert.equal((await apiFetch(edge, 'GET', `/ip_restrictions/${made.id}`, undefined, other.apiKey)).status, 404);
  assert.equal((await apiClient(edge, other.apiKey).ipRestrictions.list()).length, 0);
});

test('audit events: ip_restriction_created, _updated and _deleted carry the read shape', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  const types = ['ip_restriction_created.v0', 'ip_restriction_updated.v0', 'ip_restriction_deleted.v0'];
  await subscribeReceiver(
    ngrok,
    receiver,
    types.map((type) => ({ type })),
  );
  await edge.events.settled();
  const { policyId } = await allowing(ngrok, '10.0.0.0/8');
  const made = await ngrok.ipRestrictions.create({ type: 'endpoints', ipPolicyIds: [policyId], enforced: false });
  await ngrok.ipRestrictions.update({ id: made.id, ipPolicyIds: [policyId], description: 'lab' });
  await ngrok.ipRestrictions.delete(made.id);
  const events = await eventsAtLeast(receiver, 3);
  assert.deepEqual(
    events.map((e) => [e.event_type, e.object.id, e.object.description]),
    [
      ['ip_restriction_created.v0', made.id, ''],
      ['ip_restriction_updated.v0', made.id, 'lab'],
      ['ip_restriction_deleted.v0', made.id, 'lab'],
    ],
  );
  assert.deepEqual(events[0]!.object.ip_policies, [{ id: policyId, uri: made.ipPolicies[0]!.uri }]);
});
