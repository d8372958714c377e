// GET /endpoints: the account's live agent endpoints (the official SDK's, and a bind shaped as
// ngrok-go v2 sends it, with a name and description) and its edges' hostports, read with
// ngrok's API client and checked field by field against ngrok's published schema.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Endpoint } from '@ngrok/ngrok-api';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';
import { schemaProblems } from '../support/ngrok-schema.ts';
import { rawAgent } from '../support/raw-agent.ts';
import { sdkForward } from '../support/sdk.ts';
import { eventually, startHttpService } from '../support/services.ts';

type Body = Record<string, unknown>;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

test('/endpoints lists agent endpoints (SDK, Go-shaped bind) and edge hostports; ids, urls, filter, paging, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const api = edge.bootstrap.api_url;
  const https = edge.ports.https;
  const web = await startHttpService(t, (_req, res) => res.end('ok'));

  const appDomain = await ngrok.reservedDomains.create({ domain: 'app.example.test', region: 'local' });
  const edgeDomain = await ngrok.reservedDomains.create({ domain: '*.edges.example.test', region: 'local' });
  const addr = await ngrok.reservedAddrs.create({ region: 'local' });

  const sdk = await sdkForward(t, edge, { addr: web.url, domain: 'app.example.test', metadata: 'sdk-endpoint' });
  const go = await rawAgent(t, edge);
  await go.auth(edge.credentials.authtoken);
  const goBind = {
    Proto: 'tcp',
    ForwardsTo: 'localhost:5432',
    Opts: { Addr: addr.addr },
    Extra: {
      Name: 'db',
      Token: '',
      IPPolicyRef: '',
      Metadata: 'go-meta',
      Description: 'the database',
      Bindings: [],
      PoolingEnabled: true,
    },
  };
  const bound = await go.bind(goBind);
  assert.equal(bound.Error, '');
  const httpsEdge = await ngrok.edges.edgesHttps.create({
    description: 'site',
    metadata: 'edge-meta',
    hostports: ['www.edges.example.test:443'],
  });
  const tcpEdge = await ngrok.edges.edgesTcp.create({});
  const tcpAddr = (await ngrok.reservedAddrs.list()).find((a) => a.addr === tcpEdge.hostports![0])!;

  const listed = (await apiFetch(edge, 'GET', '/endpoints')).body;
  assert.equal(listed.uri, `${api}/endpoints`);
  assert.equal(listed.next_page_uri, null);
  const all = listed.endpoints as Body[];
  assert.equal(all.length, 4);
  for (const e of all) {
    assert.deepEqual(schemaProblems(e, 'Endpoint'), [], `GET /endpoints: ${String(e.public_url)}`);
    assert.match(String(e.id), /^ep_[0-9a-z]{27}$/);
    assert.equal(e.uri, `${api}/endpoints/${String(e.id)}`);
    assert.match(String(e.created_at), RFC3339);
    assert.equal(e.region, 'local');
    assert.deepEqual(e.bindings, ['public']);
  }
  const byUrl = (url: string) => all.find((e) => e.public_url === url)!;
  const refTo = (path: string, id: string) => ({ id, uri: `${api}${path}/${id}` });

  const sdkEndpoint = byUrl(`https://app.example.test:${https}`);
  const sdkTunnel = await ngrok.tunnels.get(sdk.id());
  assert.ok(sdkEndpoint, JSON.stringify(all.map((e) => e.public_url)));
  assert.deepEqual(
    {
      type: sdkEndpoint.type,
      proto: sdkEndpoint.proto,
      hostport: sdkEndpoint.hostport,
      port: sdkEndpoint.port,
      metadata: sdkEndpoint.metadata,
      domain: sdkEndpoint.domain,
      tunnel: (sdkEndpoint.tunnel as Body).id,
      edge: sdkEndpoint.edge,
      upstream_url: sdkEndpoint.upstream_url,
      upstream_protocol: sdkEndpoint.upstream_protocol,
      pooling_enabled: sdkEndpoint.pooling_enabled,
    },
    {
      type: 'ephemeral',
      proto: 'https',
      hostport: `app.example.test:${https}`,
      port: https,
      metadata: 'sdk-endpoint',
      domain: refTo('/reserved_domains', appDomain.id),
      tunnel: sdk.id(),
      edge: null,
      upstream_url: sdkTunnel.forwardsTo,
      upstream_protocol: 'http1',
      pooling_enabled: false,
    },
  );
  const { id: sessionId, uri: sessionUri } = sdkTunnel.tunnelSession;
  assert.deepEqual(sdkEndpoint.tunnel_session, { id: sessionId, uri: sessionUri });

  const goEndpoint = byUrl(`tcp://${addr.addr}`);
  assert.deepEqual(
    [goEndpoint.type, goEndpoint.name, goEndpoint.description, goEndpoint.metadata, goEndpoint.pooling_enabled],
    ['ephemeral', 'db', 'the database', 'go-meta', true],
    "Go's Extra.Name and Extra.Description are kept",
  );
  assert.deepEqual(goEndpoint.tcp_addr, refTo('/reserved_addrs', addr.id));
  assert.deepEqual(
    [goEndpoint.domain, goEndpoint.upstream_url, goEndpoint.upstream_protocol],
    [null, 'localhost:5432', ''],
  );

  const edgeEndpoint = byUrl(`https://www.edges.example.test:${https}`);
  assert.deepEqual(
    [edgeEndpoint.type, edgeEndpoint.description, edgeEndpoint.metadata, edgeEndpoint.name, edgeEndpoint.tunnel],
    ['edge', 'site', 'edge-meta', '', null],
  );
  assert.deepEqual(edgeEndpoint.edge, refTo('/edges/https', httpsEdge.id));
  assert.deepEqual(edgeEndpoint.domain, refTo('/reserved_domains', edgeDomain.id), 'the covering wildcard');
  const tcpEdgeEndpoint = byUrl(`tcp://${tcpEdge.hostports![0]}`);
  assert.deepEqual(tcpEdgeEndpoint.edge, refTo('/edges/tcp', tcpEdge.id));
  assert.deepEqual(tcpEdgeEndpoint.tcp_addr, refTo('/reserved_addrs', tcpAddr.id));

  // ngrok's API client reads the same, one by one and as a list.
  const client: Endpoint[] = await ngrok.endpoints.list();
  assert.deepEqual(client.map((e) => e.id).sort(), all.map((e) => String(e.id)).sort());
  for (const e of all) assert.deepEqual((await apiFetch(edge, 'GET', `/endpoints/${String(e.id)}`)).body, e);
  assert.equal((await ngrok.endpoints.get(String(goEndpoint.id))).hostport, addr.addr);

  // ngrok's list arguments, the filter, and pages of one.
  const ids = async (query: string) =>
    ((await apiFetch(edge, 'GET', `/endpoints?${query}`)).body.endpoints as Body[]).map((e) => e.id).sort();
  const pick = [String(sdkEndpoint.id), String(edgeEndpoint.id)].sort();
  assert.deepEqual(await ids(`ids=${pick.join(',')}`), pick);
  assert.deepEqual(await ids(`ids=${pick[0]}&ids=${pick[1]}`), pick);
  assert.deepEqual(await ids(`urls=${encodeURIComponent(String(goEndpoint.public_url))}`), [goEndpoint.id]);
  assert.deepEqual(await ids(`urls=tcp://nowhere:1`), []);
  assert.deepEqual(
    await ids(`filter=${encodeURIComponent('obj.type == "edge"')}`),
    [edgeEndpoint.id, tcpEdgeEndpoint.id].sort(),
  );
  const paged: unknown[] = [];
  for (let next: string | null = `${api}/endpoints?limit=1`; next;) {
    const page = (await apiFetch(edge, 'GET', next.slice(api.length))).body;
    paged.push(...(page.endpoints as Body[]).map((e) => e.id));
    next = page.next_page_uri as string | null;
  }
  assert.deepEqual(
    paged,
    all.map((e) => e.id),
  );

  // Cloud endpoints are refused with a reason, not "not found".
  const create = await apiFetch(edge, 'POST', '/endpoints', {
    url: 'https://cloud.example.test',
    type: 'cloud',
    traffic_policy: '{}',
  });
  assert.deepEqual([create.status, create.body.error_code], [400, 'ERR_CLOUD_ENDPOINTS_UNSUPPORTED']);
  assert.match(String(create.body.msg), /cannot be created on this edge/);
  const change = await apiFetch(edge, 'PATCH', `/endpoints/${String(goEndpoint.id)}`, { description: 'x' });
  assert.equal(change.status, 400);
  assert.match(String(change.body.msg), /is an agent endpoint; its agent changes it/);
  const remove = await apiFetch(edge, 'DELETE', `/endpoints/${String(edgeEndpoint.id)}`);
  assert.match(
    String(remove.body.msg),
    new RegExp(`hostport of edge ${httpsEdge.id}; change or delete it through the edge`),
  );
  assert.equal((await apiFetch(edge, 'DELETE', '/endpoints/ep_nope')).status, 404);

  // Another account sees none of them.
  const other = await otherAccount(edge);
  assert.deepEqual((await apiFetch(edge, 'GET', '/endpoints', undefined, other.apiKey)).body.endpoints, []);
  assert.equal(
    (await apiFetch(edge, 'GET', `/endpoints/${String(goEndpoint.id)}`, undefined, other.apiKey)).status,
    404,
  );
  assert.equal((await apiFetch(edge, 'GET', '/endpoints/ep_nope')).status, 404);

  // A Go agent that reconnects binds its tunnel id again: the endpoint keeps its id.
  go.close();
  const again = await rawAgent(t, edge);
  await again.auth(edge.credentials.authtoken);
  assert.equal((await again.bind({ ...goBind, Id: bound.Id })).Error, '');
  await eventually(async () => {
    const now = (await apiFetch(edge, 'GET', `/endpoints/${String(goEndpoint.id)}`)).body;
    assert.equal(now.name, 'db');
    assert.notDeepEqual(now.tunnel_session, goEndpoint.tunnel_session);
    return true;
  });
  // Closed, its endpoint is gone from the list.
  again.close();
  await eventually(async () => (await apiFetch(edge, 'GET', `/endpoints/${String(goEndpoint.id)}`)).status === 404);
});

test('a bind whose Name or Description is longer than 255 bytes is refused and binds nothing', async (t) => {
  const edge = await startTestEdge(t);
  const go = await rawAgent(t, edge);
  await go.auth(edge.credentials.authtoken);
  for (const extra of [{ Name: 'n'.repeat(256) }, { Description: 'ü'.repeat(128) }]) {
    const reply = await go.bind({ Opts: { Hostname: 'long.localhost' }, Extra: extra });
    assert.match(String(reply.Error), /ERR_AGENT_OPTION_INVALID/);
    assert.match(String(reply.Error), new RegExp(`${Object.keys(extra)[0]}: 256 bytes, at most 255`));
  }
  assert.deepEqual((await apiFetch(edge, 'GET', '/endpoints')).body.endpoints, []);
  const fits = await go.bind({ Opts: { Hostname: 'long.localhost' }, Extra: { Name: 'n'.repeat(255) } });
  assert.equal(fits.Error, '');
});
