import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';

/** What Go's ngrok.IsErrorCode(err, n) reads: the body's error_code; Portico's own code stays in details. */
test("ngrok's numbered codes where ngrok has one, Portico's code in details", async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const refused = async (method: string, path: string, body: unknown, code: string, portico?: string) => {
    const res = await apiFetch(edge, method, path, body);
    assert.equal(res.status, 400, `${method} ${path}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error_code, code, `${method} ${path}`);
    assert.equal((res.body.details as Record<string, string>).portico_code, portico, `${method} ${path}`);
  };

  await ngrok.reservedDomains.create({ domain: 'taken.example.test', region: 'local' });
  await refused('POST', '/reserved_domains', { domain: 'taken.example.test' }, 'ERR_NGROK_413');
  await refused(
    'POST',
    '/edges/https',
    { hostports: ['nobody.example.test:443'] },
    'ERR_NGROK_7118',
    'ERR_HOSTPORT_NOT_RESERVED',
  );
  await refused('POST', '/edges/tcp', { hostports: ['localhost:1'] }, 'ERR_NGROK_7113', 'ERR_ADDR_NOT_RESERVED');

  const policy = await ngrok.ipPolicies.create({});
  const backend = await ngrok.backends.httpResponseBackends.create({ body: 'x', statusCode: 200, headers: new Map() });
  const edgeRes = await ngrok.edges.edgesHttps.create({ hostports: ['taken.example.test:443'] });
  await ngrok.edges.edgesHttpsRoutes.create({
    edgeId: edgeRes.id,
    matchType: 'path_prefix',
    match: '/',
    backend: { backendId: backend.id },
    ipRestriction: { ipPolicyIds: [policy.id] },
  });
  await refused('DELETE', `/ip_policies/${policy.id}`, undefined, 'ERR_NGROK_1420', 'ERR_IP_POLICY_IN_USE');
  await refused('DELETE', `/backends/http_response/${backend.id}`, undefined, 'ERR_NGROK_6502', 'ERR_BACKEND_IN_USE');
  await refused(
    'DELETE',
    '/reserved_domains/' + (await ngrok.reservedDomains.list())[0]!.id,
    undefined,
    'ERR_NGROK_446',
  );
});
