import assert from 'node:assert/strict';
import type http from 'node:http';
import { test } from 'node:test';
import WebSocket from 'ws';
import { apiClient, apiFetch } from '../../support/api.ts';
import { loopbackLookup, request } from '../../support/client.ts';
import { asMap, httpsEdge, reserve, httpResponseBackend, tunnelGroupBackend } from '../../support/edges.ts';
import { forwardTo, startTestEdge } from '../../support/edge.ts';
import { startHttpService } from '../../support/services.ts';

test('request and response headers: the service sees its changes, the client sees its own; variables are filled per request', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'hdr.example.com');
  let seen: http.IncomingHttpHeaders = {};
  const service = await startHttpService(t, (req, res) => {
    seen = req.headers;
    res.setHeader('x-powered-by', 'secret stack');
    res.setHeader('server', 'local');
    res.end('ok');
  });
  const agent = await forwardTo(t, edge, {
    addr: service.port,
    labels: { app: 'hdr' },
  });
  const { id: edgeId, routeIds } = await httpsEdge(
    ngrok,
    ['hdr.example.com:443'],
    [{ backendId: await tunnelGroupBackend(ngrok, { app: 'hdr' }) }],
  );
  const m = ngrok.edgeModules;
  await m.edgeRouteRequestHeadersModule.replace({
    edgeId,
    id: routeIds[0]!,
    module: {
      add: asMap({
        'x-client-ip': '${conn.client_ip}',
        'x-route': 'route ${endpoint.id} ${req.method} ${req.url.path}',
        'x-static': 'yes',
      }),
      remove: ['cookie', 'X-Static'],
    },
  });
  await m.edgeRouteResponseHeadersModule.replace({
    edgeId,
    id: routeIds[0]!,
    module: {
      add: asMap({ 'strict-transport-security': 'max-age=63072000', 'x-tls': '${conn.tls.version}' }),
      remove: ['x-powered-by'],
    },
  });
  await edge.snapshots.settled();

  const res = await request(`https://hdr.example.com:${edge.ports.https}/path/here?q=1`, {
    ca: edge.caPem,
    headers: { cookie: 'session=1', 'x-static': 'from client', 'x-client-ip': '6.6.6.6' },
  });
  assert.equal(res.status, 200);
  // The service: removed first, then set (a client's own value is replaced, never kept beside).
  assert.equal(seen.cookie, undefined);
  assert.equal(seen['x-static'], 'yes');
  assert.equal(seen['x-client-ip'], '127.0.0.1');
  // ${endpoint.id} is the endpoint's id as GET /endpoints lists the edge's hostport.
  const url = `https://hdr.example.com:${edge.ports.https}`;
  const listed = await apiFetch(edge, 'GET', `/endpoints?urls=${encodeURIComponent(url)}`);
  const [endpoint] = listed.body.endpoints as Array<{ id: string; edge: { id: string } }>;
  assert.equal(endpoint!.edge.id, edgeId);
  assert.equal(seen['x-route'], `route ${endpoint!.id} GET /path/here`);
  assert.equal(seen['strict-transport-security'], undefined);
  // The client.
  assert.equal(res.headers['x-powered-by'], undefined);
  assert.equal(res.headers.server, 'local');
  assert.equal(res.headers['strict-transport-security'], 'max-age=63072000');
  assert.equal(res.headers['x-tls'], 'TLSv1.3');
  assert.equal(res.headers['x-static'], undefined);

  // A WebSocket upgrade gets the request headers too, and its 101 the response headers; header
  // bytes that are not ASCII reach the client as the service sent them.
  const wsService = await startHttpService(t, (_req, r) => r.end());
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ server: wsService.server });
  wss.on('headers', (headers) => headers.push('X-Powered-By: secret stack', 'X-Name: Zoë'));
  const upgradeHeaders = new Promise<http.IncomingHttpHeaders>((resolve) =>
    wss.on('connection', (socket, req) => (resolve(req.headers), socket.close())),
  );
  await forwardTo(t, edge, {
    addr: wsService.port,
    labels: { app: 'hdr' },
  });
  await agent.close();
  const ws = new WebSocket(`wss://hdr.example.com:${edge.ports.https}/ws`, {
    ca: edge.caPem,
    lookup: loopbackLookup,
  } as WebSocket.ClientOptions);
  ws.on('error', () => {});
  const switched = new Promise<http.IncomingMessage>((resolve) => ws.once('upgrade', resolve));
  assert.equal((await upgradeHeaders)['x-client-ip'], '127.0.0.1');
  const answer = await switched;
  assert.equal(answer.statusCode, 101);
  assert.equal(answer.headers['strict-transport-security'], 'max-age=63072000');
  assert.equal(answer.headers['x-tls'], 'TLSv1.3');
  assert.equal(answer.headers['x-powered-by'], undefined);
  assert.equal(Buffer.from(String(answer.headers['x-name']), 'latin1').toString(), 'Zoë');
});

test('response headers apply to an HTTP response backend; an unknown variable is refused on the write with its field', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  await reserve(ngrok, 'static.example.com');
  const { id: edgeId, routeIds } = await httpsEdge(
    ngrok,
    ['static.example.com:443'],
    [{ backendId: await httpResponseBackend(ngrok, 'static') }],
  );
  const path = `/edges/https/${edgeId}/routes/${routeIds[0]}/response_headers`;
  const refused = await apiFetch(edge, 'PUT', path, { add: { 'x-geo': '${conn.geo.country_code}' } });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error_code, 'ERR_NGROK_370');
  assert.match(String(refused.body.msg), /response_headers\.add\.x-geo/);
  assert.equal((await apiFetch(edge, 'PUT', path, { add: { 'x-served-by': 'portico ${req.method}' } })).status, 200);
  await edge.snapshots.settled();
  const res = await request(`https://static.example.com:${edge.ports.https}/`, { ca: edge.caPem });
  assert.equal(res.body.toString(), 'static');
  assert.equal(res.headers['x-served-by'], 'portico GET');
  assert.equal(res.headers['content-type'], 'text/plain');
});
