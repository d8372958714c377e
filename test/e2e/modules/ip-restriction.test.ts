import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { test, type TestContext } from 'node:test';
import { apiClient } from '../../support/api.ts';
import { httpsEdge, reserve, tunnelGroupBackend } from '../../support/edges.ts';
import { forwardTo, startTestEdge, type TestEdge } from '../../support/edge.ts';
import { eventually, recordingTcpService, sleep, startHttpService } from '../../support/services.ts';
import { sdkSession } from '../../support/sdk.ts';
import { getFrom, tcpFrom } from '../../support/from-address.ts';

async function policy(
  edge: TestEdge,
  rules: Array<{ cidr: string; action: 'allow' | 'deny' }>,
): Promise<{ policyId: string; ruleIds: string[] }> {
  const ngrok = apiClient(edge);
  const { id: policyId } = await ngrok.ipPolicies.create({});
  const ruleIds: string[] = [];
  for (const rule of rules) ruleIds.push((await ngrok.ipPolicyRules.create({ ipPolicyId: policyId, ...rule })).id);
  return { policyId, ruleIds };
}

async function labeledService(t: TestContext, edge: TestEdge, labels: Record<string, string>): Promise<void> {
  const service = await startHttpService(t, (_req, res) => res.end('served'));
  await forwardTo(t, edge, {
    addr: service.port,
    labels,
  });
}

test('ip_restriction on a route: allow and deny rules over IPv4 sources; rule and module changes apply at once', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'ipr.example.com');
  await labeledService(t, edge, { app: 'ipr' });
  const { routeIds, id: edgeId } = await httpsEdge(
    ngrok,
    ['ipr.example.com:443'],
    [{ backendId: await tunnelGroupBackend(ngrok, { app: 'ipr' }) }],
  );
  const { policyId, ruleIds } = await policy(edge, [
    { cidr: '127.0.0.0/8', action: 'allow' },
    { cidr: '127.0.0.2/32', action: 'deny' },
  ]);
  await ngrok.edgeModules.edgeRouteIpRestrictionModule.replace({
    edgeId,
    id: routeIds[0]!,
    module: { ipPolicyIds: [policyId] },
  });
  await edge.snapshots.settled();

  assert.deepEqual(await getFrom(edge, 'ipr.example.com', '127.0.0.1'), {
    status: 200,
    code: undefined,
    body: 'served',
  });
  const refused = await getFrom(edge, 'ipr.example.com', '127.0.0.2');
  assert.equal(refused.status, 403);
  assert.equal(refused.code, 'ERR_NGROK_3205');

  // The deny rule goes: 127.0.0.2 is let in on the next request.
  await ngrok.ipPolicyRules.delete(ruleIds[1]!);
  await edge.snapshots.settled();
  assert.equal((await getFrom(edge, 'ipr.example.com', '127.0.0.2')).status, 200);

  // Only 10.0.0.0/8 allowed: nobody here matches an allow rule.
  await ngrok.ipPolicyRules.update({ id: ruleIds[0]!, cidr: '10.0.0.0/8' });
  await edge.snapshots.settled();
  assert.equal((await getFrom(edge, 'ipr.example.com', '127.0.0.1')).status, 403);

  // The module switched off lets everyone in again.
  await ngrok.edgeModules.edgeRouteIpRestrictionModule.delete({ edgeId, id: routeIds[0]! });
  await edge.snapshots.settled();
  assert.equal((await getFrom(edge, 'ipr.example.com', '127.0.0.1')).status, 200);
});

test('ip_restriction on a TCP edge closes a refused connection before the service sees a byte (official SDK agent)', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { port: servicePort, seen } = await recordingTcpService(t);
  const sdk = await sdkSession(t, edge);
  await sdk.labeledListener().label('svc', 'tcp').listenAndForward(`tcp://127.0.0.1:${servicePort}`);

  const { policyId } = await policy(edge, [{ cidr: '127.0.0.1/32', action: 'allow' }]);
  const tcpEdge = await ngrok.edges.edgesTcp.create({
    backend: { backendId: await tunnelGroupBackend(ngrok, { svc: 'tcp' }) },
    ipRestriction: { ipPolicyIds: [policyId] },
  });
  await edge.snapshots.settled();
  const port = Number(tcpEdge.hostports![0]!.split(':')[1]);

  assert.equal(await tcpFrom(port, '127.0.0.1', 'allowed'), 'echo');
  assert.equal(await tcpFrom(port, '127.0.0.2', 'refused'), '');
  await sleep(200);
  assert.deepEqual(seen, ['allowed']);

  // Allowing the whole range through the API lets the second source in too.
  await ngrok.ipPolicyRules.create({ ipPolicyId: policyId, cidr: '127.0.0.0/8', action: 'allow' });
  await edge.snapshots.settled();
  await eventually(async () => (await tcpFrom(port, '127.0.0.2', 'now allowed')) === 'echo', 5000, 'the new rule');
});

test('ip_restriction on a TLS edge: a refused source is disconnected before the handshake', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'tls-ipr.example.com');
  const { policyId } = await policy(edge, [
    { cidr: '::/0', action: 'allow' },
    { cidr: '127.0.0.0/8', action: 'allow' },
    { cidr: '127.0.0.2/32', action: 'deny' },
  ]);
  await ngrok.edges.edgesTls.create({
    hostports: ['tls-ipr.example.com:443'],
    backend: { backendId: await tunnelGroupBackend(ngrok, { svc: 'none' }) },
    ipRestriction: { ipPolicyIds: [policyId] },
  });
  await edge.snapshots.settled();
  const handshake = (localAddress: string) =>
    new Promise<string>((resolve) => {
      const raw = net.connect({ port: edge.ports.https, host: '127.0.0.1', localAddress });
      const socket = tls.connect({ socket: raw, servername: 'tls-ipr.example.com', ca: edge.caPem });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve('handshake');
      });
      socket.once('error', () => resolve('refused'));
    });
  assert.equal(await handshake('127.0.0.1'), 'handshake');
  assert.equal(await handshake('127.0.0.2'), 'refused');
});
