import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';
import { errorCode, fixtures, status } from './edges-fixtures.ts';

test('TLS edges: hostports, terminate_at, modules, paging, update, errors, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { edgesTls, edgesHttps } = ngrok.edges;
  const m = ngrok.edgeModules;
  const { backendId, policyId, caId } = await fixtures(edge, ngrok);
  const api = edge.bootstrap.api_url;

  const tls = await edgesTls.create({
    description: 'passthrough',
    backend: { backendId },
    tlsTermination: { terminateAt: 'upstream' },
  });
  assert.match(tls.id, /^edgtls_[0-9a-z]{27}$/);
  assert.equal(tls.uri, `${api}/edges/tls/${tls.id}`);
  assert.match(tls.hostports![0]!, /^[a-z2-7]{12}\.localhost:443$/);
  assert.deepEqual(tls.backend, {
    enabled: true,
    backend: { id: backendId, uri: `${api}/backends/tunnel_group/${backendId}` },
  });
  assert.deepEqual(tls.tlsTermination, { enabled: true, terminateAt: 'upstream', minVersion: null });
  assert.equal(tls.ipRestriction, null);
  assert.equal(tls.mutualTls, null);
  assert.equal(tls.policy, null);
  assert.deepEqual(await edgesTls.get(tls.id), tls);

  // Names are shared with HTTPS edges: one hostport, one edge of either kind.
  await ngrok.reservedDomains.create({ domain: 'db.example.test', region: 'local' });
  const named = await edgesTls.create({ hostports: ['db.example.test:443'] });
  await assert.rejects(edgesHttps.create({ hostports: ['db.example.test:443'] }), errorCode('ERR_NGROK_381'));
  await assert.rejects(edgesTls.create({ hostports: [tls.hostports![0]!] }), errorCode('ERR_NGROK_381'));
  await assert.rejects(edgesTls.create({ hostports: ['db.example.org:443'] }), errorCode('ERR_NGROK_7118'));

  // tls_termination: edge (default min 1.2) or upstream (min_version must be null).
  assert.deepEqual(await m.tlsEdgeTlsTerminationModule.replace({ id: named.id, module: { terminateAt: 'edge' } }), {
    enabled: true,
    terminateAt: 'edge',
    minVersion: '1.2',
  });
  assert.deepEqual(
    await m.tlsEdgeTlsTerminationModule.replace({ id: named.id, module: { terminateAt: 'edge', minVersion: '1.3' } }),
    { enabled: true, terminateAt: 'edge', minVersion: '1.3' },
  );
  await assert.rejects(
    m.tlsEdgeTlsTerminationModule.replace({ id: named.id, module: { terminateAt: 'upstream', minVersion: '1.2' } }),
    errorCode('ERR_NGROK_219'),
  );
  await assert.rejects(
    m.tlsEdgeTlsTerminationModule.replace({ id: named.id, module: { terminateAt: 'agent' } }),
    errorCode('ERR_NGROK_224'),
  );
  await assert.rejects(
    m.tlsEdgeTlsTerminationModule.replace({ id: named.id, module: { terminateAt: 'edge', minVersion: 'TLS1.2' } }),
    errorCode('ERR_NGROK_219'),
  );
  await assert.rejects(edgesTls.create({ tlsTermination: { terminateAt: 'both' } }), errorCode('ERR_NGROK_224'));
  assert.deepEqual((await m.tlsEdgeTlsTerminationModule.get(named.id)).minVersion, '1.3');
  assert.deepEqual(await m.tlsEdgeTlsTerminationModule.delete(named.id), {});
  await assert.rejects(m.tlsEdgeTlsTerminationModule.get(named.id), status(404));

  // The other TLS edge modules.
  assert.deepEqual(await m.tlsEdgeBackendModule.replace({ id: named.id, module: { backendId } }), tls.backend);
  assert.deepEqual(await m.tlsEdgeBackendModule.get(named.id), tls.backend);
  await assert.rejects(
    m.tlsEdgeBackendModule.replace({ id: named.id, module: { backendId: 'bkdfo_00000000000000000000000000' } }),
    errorCode('ERR_NGROK_242'),
  );
  const ipr = await m.tlsEdgeIpRestrictionModule.replace({ id: named.id, module: { ipPolicyIds: [policyId] } });
  assert.deepEqual(ipr, { enabled: true, ipPolicies: [{ id: policyId, uri: `${api}/ip_policies/${policyId}` }] });
  await assert.rejects(
    m.tlsEdgeIpRestrictionModule.replace({ id: named.id, module: { ipPolicyIds: ['ipp_00000000000000000000000000'] } }),
    errorCode('ERR_NGROK_1607'),
  );
  const mutual = await m.tlsEdgeMutualTlsModule.replace({ id: named.id, module: { certificateAuthorityIds: [caId] } });
  assert.deepEqual(mutual, {
    enabled: true,
    certificateAuthorities: [{ id: caId, uri: `${api}/certificate_authorities/${caId}` }],
  });
  await assert.rejects(
    m.tlsEdgeMutualTlsModule.replace({
      id: named.id,
      module: { certificateAuthorityIds: ['ca_00000000000000000000000000'] },
    }),
    errorCode('ERR_NGROK_1672'),
  );
  const read = await edgesTls.get(named.id);
  assert.deepEqual(
    [read.backend, read.ipRestriction, read.mutualTls, read.tlsTermination],
    [tls.backend, ipr, mutual, null],
  );
  for (const mod of [m.tlsEdgeBackendModule, m.tlsEdgeIpRestrictionModule, m.tlsEdgeMutualTlsModule]) {
    assert.deepEqual(await mod.delete(named.id), {});
    await assert.rejects(mod.get(named.id), status(404));
  }
  // Traffic Policy is not run by this edge yet: it may be stored switched off, never on.
  assert.equal(
    (await apiFetch(edge, 'PUT', `/edges/tls/${named.id}/policy`, { inbound: [] })).body.error_code,
    'ERR_MODULE_NOT_ENFORCED',
  );
  assert.equal(
    (await apiFetch(edge, 'PUT', `/edges/tls/${named.id}/policy`, { enabled: false, inbound: [] })).status,
    200,
  );

  // PATCH replaces present modules only; paging.
  const patched = await edgesTls.update({
    id: tls.id,
    metadata: '{"v":2}',
    ipRestriction: { ipPolicyIds: [policyId] },
  });
  assert.equal(patched.metadata, '{"v":2}');
  assert.deepEqual(patched.ipRestriction, ipr);
  assert.deepEqual(patched.tlsTermination, tls.tlsTermination);
  assert.deepEqual(patched.backend, tls.backend);
  const more = [];
  for (let i = 0; i < 3; i++) more.push((await edgesTls.create({ description: `tls ${i}` })).id);
  assert.deepEqual(
    (await edgesTls.list(undefined, '2')).map((e) => e.id),
    [tls.id, named.id, ...more].reverse(),
  );
  const page = await apiFetch(edge, 'GET', '/edges/tls?limit=2');
  assert.equal((page.body.tls_edges as unknown[]).length, 2);
  assert.notEqual(page.body.next_page_uri, null);

  // Unknown ids, other accounts.
  await assert.rejects(edgesTls.get('edgtls_00000000000000000000000000'), status(404));
  await assert.rejects(m.tlsEdgeBackendModule.get('edgtls_00000000000000000000000000'), status(404));
  const other = await otherAccount(edge);
  assert.deepEqual((await apiFetch(edge, 'GET', '/edges/tls', undefined, other.apiKey)).body.tls_edges, []);
  await assert.rejects(apiClient(edge, other.apiKey).edges.edgesTls.get(tls.id), status(404));
  await assert.rejects(
    apiClient(edge, other.apiKey).edgeModules.tlsEdgeBackendModule.replace({ id: tls.id, module: { backendId } }),
    status(404),
  );

  assert.deepEqual(await edgesTls.delete(tls.id), {});
  await assert.rejects(edgesTls.get(tls.id), status(404));
});

test('TCP edges: reserved addresses (generated or given), modules, paging, update, errors, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { edgesTcp } = ngrok.edges;
  const m = ngrok.edgeModules;
  const { backendId, policyId } = await fixtures(edge, ngrok);
  const api = edge.bootstrap.api_url;

  // Without hostports: a newly reserved address, kept by the account after the edge goes.
  const tcp = await edgesTcp.create({ description: 'ssh', backend: { backendId } });
  assert.match(tcp.id, /^edgtcp_[0-9a-z]{27}$/);
  assert.equal(tcp.uri, `${api}/edges/tcp/${tcp.id}`);
  assert.match(tcp.hostports![0]!, /^localhost:\d+$/);
  const reservation = (await ngrok.reservedAddrs.list()).find((a) => a.addr === tcp.hostports![0]);
  assert.equal(reservation?.description, `created for edge ${tcp.id}`);
  assert.equal(reservation?.region, 'local');
  assert.deepEqual(tcp.backend, {
    enabled: true,
    backend: { id: backendId, uri: `${api}/backends/tunnel_group/${backendId}` },
  });
  assert.equal(tcp.ipRestriction, null);
  assert.deepEqual(await edgesTcp.get(tcp.id), tcp);

  // With a reserved address of the account; not someone else's, not one in use.
  const addr = await ngrok.reservedAddrs.create({ description: 'for tcp edge', region: 'local' });
  const given = await edgesTcp.create({ hostports: [addr.addr] });
  assert.deepEqual(given.hostports, [addr.addr]);
  await assert.rejects(edgesTcp.create({ hostports: [addr.addr] }), errorCode('ERR_NGROK_381'));
  await assert.rejects(edgesTcp.create({ hostports: ['localhost:1'] }), errorCode('ERR_NGROK_7113'));
  await assert.rejects(edgesTcp.create({ hostports: ['localhost'] }), errorCode('ERR_NGROK_7104'));
  await assert.rejects(ngrok.reservedAddrs.delete(addr.id), status(400));

  // Modules.
  assert.deepEqual(await m.tcpEdgeBackendModule.replace({ id: given.id, module: { backendId } }), tcp.backend);
  assert.deepEqual(await m.tcpEdgeBackendModule.get(given.id), tcp.backend);
  await assert.rejects(
    m.tcpEdgeBackendModule.replace({ id: given.id, module: { backendId: 'bkdhr_00000000000000000000000000' } }),
    errorCode('ERR_NGROK_242'),
  );
  const ipr = await m.tcpEdgeIpRestrictionModule.replace({
    id: given.id,
    module: { ipPolicyIds: [policyId], enabled: false },
  });
  assert.deepEqual(ipr, { enabled: false, ipPolicies: [{ id: policyId, uri: `${api}/ip_policies/${policyId}` }] });
  await assert.rejects(
    m.tcpEdgeIpRestrictionModule.replace({ id: given.id, module: { ipPolicyIds: ['ipp_nope'] } }),
    errorCode('ERR_NGROK_1607'),
  );
  assert.deepEqual((await edgesTcp.get(given.id)).ipRestriction, ipr);
  for (const mod of [m.tcpEdgeBackendModule, m.tcpEdgeIpRestrictionModule]) {
    assert.deepEqual(await mod.delete(given.id), {});
    await assert.rejects(mod.get(given.id), status(404));
  }
  assert.equal((await apiFetch(edge, 'GET', `/edges/tcp/${given.id}/mutual_tls`)).status, 404);

  // PATCH: hostports may be emptied (read as null), and the address can then move.
  const emptied = await edgesTcp.update({ id: given.id, hostports: [], description: 'parked' });
  assert.equal(emptied.hostports, null);
  assert.equal(emptied.description, 'parked');
  assert.deepEqual((await edgesTcp.update({ id: tcp.id, hostports: [tcp.hostports![0]!, addr.addr] })).hostports, [
    tcp.hostports![0],
    addr.addr,
  ]);
  assert.equal((await edgesTcp.get(tcp.id)).description, 'ssh');

  // Paging.
  const more = [];
  for (let i = 0; i < 2; i++) more.push((await edgesTcp.create({ description: `tcp ${i}` })).id);
  assert.deepEqual(
    (await edgesTcp.list(undefined, '1')).map((e) => e.id),
    [tcp.id, given.id, ...more].reverse(),
  );
  const last = await apiFetch(edge, 'GET', `/edges/tcp?limit=3&before_id=${given.id}`);
  assert.deepEqual(
    (last.body.tcp_edges as Array<{ id: string }>).map((e) => e.id),
    [tcp.id],
  );
  assert.equal(last.body.next_page_uri, null);

  // Unknown ids, other accounts.
  await assert.rejects(edgesTcp.get('edgtcp_00000000000000000000000000'), status(404));
  await assert.rejects(edgesTcp.get(tcp.id.replace('edgtcp', 'edgtls')), status(404));
  const other = await otherAccount(edge);
  const foreign = apiClient(edge, other.apiKey);
  assert.deepEqual(await foreign.edges.edgesTcp.list(), []);
  await assert.rejects(foreign.edges.edgesTcp.get(tcp.id), status(404));
  await assert.rejects(foreign.edges.edgesTcp.create({ hostports: [addr.addr] }), errorCode('ERR_NGROK_7113'));
  await assert.rejects(foreign.edgeModules.tcpEdgeIpRestrictionModule.get(tcp.id), status(404));

  // Delete: the edge goes; its generated address stays reserved.
  assert.deepEqual(await edgesTcp.delete(tcp.id), {});
  await assert.rejects(edgesTcp.get(tcp.id), status(404));
  assert.ok((await ngrok.reservedAddrs.list()).some((a) => a.id === reservation!.id));
});

test('traffic_policy on TLS and TCP edges: refused switched on, accepted off; its module paths answer', async (t) => {
  const edge = await startTestEdge(t);
  const value = '{"on_tcp_connect":[{"actions":[{"type":"deny"}]}]}';
  for (const kind of ['tls', 'tcp']) {
    const refused = async (method: string, path: string, body: unknown) => {
      const res = await apiFetch(edge, method, path, body);
      assert.equal(res.body.error_code, 'ERR_MODULE_NOT_ENFORCED', `${kind} ${method} ${path}`);
      assert.match(String(res.body.msg), /^traffic_policy: Traffic Policy is not enforced/);
    };
    await refused('POST', `/edges/${kind}`, { traffic_policy: { value } });
    const made = await apiFetch(edge, 'POST', `/edges/${kind}`, { traffic_policy: { enabled: false, value } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.traffic_policy, null);
    const item = `/edges/${kind}/${String(made.body.id)}`;
    await refused('PATCH', item, { traffic_policy: { enabled: true, value } });
    assert.equal((await apiFetch(edge, 'PATCH', item, { traffic_policy: null })).status, 200);
    await refused('PUT', `${item}/traffic_policy`, { value });
    assert.deepEqual((await apiFetch(edge, 'PUT', `${item}/traffic_policy`, { enabled: false })).body, {
      enabled: false,
      value: '',
    });
    assert.equal((await apiFetch(edge, 'GET', `${item}/traffic_policy`)).status, 404);
    assert.deepEqual((await apiFetch(edge, 'DELETE', `${item}/traffic_policy`)).body, {});
  }
});
