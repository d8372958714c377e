// Modules added and removed through the API while a route carries steady keep-alive load: the
// load never sees a failed request; only the requests a module is meant to refuse are refused,
// and only while that module is on.
import assert from 'node:assert/strict';
import type http from 'node:http';
import https from 'node:https';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { asMap } from '../../support/edges.ts';
import { startTestEdge, type TestEdge } from '../../support/edge.ts';
import { routeToAgent, type ModuleRoute } from '../../support/modules.ts';
import { startHttpService } from '../../support/services.ts';

const host = 'churn.example.com';
const body = Buffer.from('steady load through a changing module chain\n'.repeat(50));
const loadUserAgent = 'portico-load/1.0';
const rounds = 20;
const workers = 6;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A GET to the route from `localAddress`, on `agent`'s connections (none: a fresh one). */
function get(edge: TestEdge, o: { localAddress: string; userAgent: string; agent?: https.Agent }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      {
        host: '127.0.0.1',
        port: edge.ports.https,
        servername: host,
        path: '/',
        headers: { host, 'user-agent': o.userAgent, 'accept-encoding': 'gzip' },
        ca: edge.caPem,
        localAddress: o.localAddress,
        agent: o.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

/** What differs from "200 with the expected body" (gunzipped when the edge compressed it), or undefined. */
function problem(reply: Reply): string | undefined {
  if (reply.status !== 200) return `status ${reply.status} ${String(reply.headers['ngrok-error-code'])}`;
  const got = reply.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(reply.body) : reply.body;
  return got.equals(body) ? undefined : `a body of ${got.length} bytes`;
}

/** Load counters, shared by the workers. */
interface Load {
  ok: number;
  compressed: number;
  withResponseHeader: number;
  failures: string[];
}

/** One keep-alive client sending requests back to back from 127.0.0.1 until `running()` is false. */
async function worker(edge: TestEdge, load: Load, running: () => boolean): Promise<void> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    while (running()) {
      try {
        const reply = await get(edge, { localAddress: '127.0.0.1', userAgent: loadUserAgent, agent });
        const wrong = problem(reply);
        if (wrong) load.failures.push(wrong);
        else load.ok++;
        if (reply.headers['content-encoding'] === 'gzip') load.compressed++;
        if (reply.headers['x-churn'] === 'on') load.withResponseHeader++;
      } catch (err) {
        load.failures.push(`connection error: ${(err as Error).message}`);
      }
    }
  } finally {
    agent.destroy();
  }
}

/** The five modules the churn switches, in the order they are added. */
function moduleSteps(route: ModuleRoute, policyId: string) {
  const m = route.ngrok.edgeModules;
  const at = route.at;
  return [
    {
      name: 'ip_restriction',
      add: () => m.edgeRouteIpRestrictionModule.replace({ ...at, module: { ipPolicyIds: [policyId] } }),
      remove: () => m.edgeRouteIpRestrictionModule.delete(at),
    },
    {
      name: 'request_headers',
      add: () =>
        m.edgeRouteRequestHeadersModule.replace({ ...at, module: { add: asMap({ 'x-churn': 'on' }), remove: [] } }),
      remove: () => m.edgeRouteRequestHeadersModule.delete(at),
    },
    {
      name: 'response_headers',
      add: () =>
        m.edgeRouteResponseHeadersModule.replace({ ...at, module: { add: asMap({ 'x-churn': 'on' }), remove: [] } }),
      remove: () => m.edgeRouteResponseHeadersModule.delete(at),
    },
    {
      name: 'compression',
      add: () => m.edgeRouteCompressionModule.replace({ ...at, module: { enabled: true } }),
      remove: () => m.edgeRouteCompressionModule.delete(at),
    },
    {
      name: 'user_agent_filter',
      add: () => m.edgeRouteUserAgentFilterModule.replace({ ...at, module: { allow: [], deny: ['bot'] } }),
      remove: () => m.edgeRouteUserAgentFilterModule.delete(at),
    },
  ];
}

test(`${rounds} rounds of adding and removing five route modules under steady keep-alive load: no failed request`, async (t) => {
  const edge = await startTestEdge(t);
  let withRequestHeader = 0;
  const service = await startHttpService(t, (req, res) => {
    if (req.headers['x-churn'] === 'on') withRequestHeader++;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
  });
  const route = await routeToAgent(t, edge, host, service.port);
  // Everyone but 127.0.0.2: a route's IP policy lets in only what an allow rule matches.
  const { id: policyId } = await route.ngrok.ipPolicies.create({});
  for (const [cidr, action] of [
    ['0.0.0.0/0', 'allow'],
    ['::/0', 'allow'],
    ['127.0.0.2/32', 'deny'],
  ] as const)
    await route.ngrok.ipPolicyRules.create({ ipPolicyId: policyId, cidr, action });
  await edge.snapshots.settled();
  assert.equal(problem(await get(edge, { localAddress: '127.0.0.1', userAgent: loadUserAgent })), undefined);

  const load: Load = { ok: 0, compressed: 0, withResponseHeader: 0, failures: [] };
  let running = true;
  const clients = Array.from({ length: workers }, () => worker(edge, load, () => running));

  // Probes check, after each step has settled, that a module refuses exactly while it is on.
  const probes = { ipRefused: 0, uaRefused: 0, let: 0, wrong: [] as string[] };
  const probe = async (step: string, localAddress: string, userAgent: string, refusedWith: string | undefined) => {
    const reply = await get(edge, { localAddress, userAgent });
    const got = reply.status === 200 ? problem(reply) : `${reply.status} ${String(reply.headers['ngrok-error-code'])}`;
    const want = refusedWith ? `403 ${refusedWith}` : undefined;
    if (got !== want)
      probes.wrong.push(`${step}: ${localAddress} "${userAgent}" got ${got ?? 200}, want ${want ?? 200}`);
    else if (refusedWith === 'ERR_NGROK_3205') probes.ipRefused++;
    else if (refusedWith === 'ERR_NGROK_3211') probes.uaRefused++;
    else probes.let++;
  };

  const steps = moduleSteps(route, policyId);
  const on = new Set<string>();
  const change = async (what: string, name: string, apply: () => Promise<unknown>, turnOn: boolean) => {
    await apply();
    await edge.snapshots.settled();
    if (turnOn) on.add(name);
    else on.delete(name);
    await probe(what, '127.0.0.2', loadUserAgent, on.has('ip_restriction') ? 'ERR_NGROK_3205' : undefined);
    await probe(what, '127.0.0.1', 'bot', on.has('user_agent_filter') ? 'ERR_NGROK_3211' : undefined);
  };
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const s of steps) await change(`round ${round} +${s.name}`, s.name, s.add, true);
      for (const s of [...steps].reverse()) await change(`round ${round} -${s.name}`, s.name, s.remove, false);
    }
  } finally {
    running = false;
    await Promise.all(clients);
  }

  const total = load.ok + load.failures.length;
  t.diagnostic(
    `load: ${total} requests from ${workers} keep-alive clients, ${load.failures.length} failed; ` +
      `${load.compressed} compressed, ${load.withResponseHeader} with the response header, ` +
      `${withRequestHeader} seen by the service with the request header`,
  );
  t.diagnostic(
    `probes: ${probes.ipRefused} refused by ip_restriction, ${probes.uaRefused} by user_agent_filter, ` +
      `${probes.let} let through while the module was off, ${probes.wrong.length} wrong`,
  );
  assert.deepEqual(load.failures.slice(0, 10), [], `${load.failures.length} of ${total} load requests failed`);
  assert.deepEqual(probes.wrong.slice(0, 10), [], `${probes.wrong.length} probes answered wrongly`);
  // ip_restriction is added first and removed last: on for 9 of a round's 10 steps.
  assert.equal(
    probes.ipRefused,
    rounds * (2 * steps.length - 1),
    'the 127.0.0.2 probes refused while ip_restriction was on',
  );
  assert.equal(probes.uaRefused, rounds * 1, 'the bot probes refused while user_agent_filter was on');
  // Each module was on during part of the load: its changes reached keep-alive connections.
  assert.ok(load.compressed > 0 && load.withResponseHeader > 0 && withRequestHeader > 0);
  assert.ok(load.ok > 0);
});
