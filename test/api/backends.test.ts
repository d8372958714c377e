import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { forwardTo, startTestEdge } from '../support/edge.ts';
import { eventually, startHttpService } from '../support/services.ts';
import { sdkSession } from '../support/sdk.ts';

/** The TS client types map fields as Map, but sends a Map as {}: tests pass plain objects. */
const asMap = <V>(o: Record<string, V>) => o as unknown as Map<string, V>;
const errorCode = (code: string) => (e: { errorCode?: string }) => e.errorCode === code;

test('failover and http_response backends: CRUD, paging, errors, in-use delete', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { failoverBackends, httpResponseBackends } = ngrok.backends;

  const responses = [];
  for (let i = 0; i < 5; i++) {
    responses.push(
      await httpResponseBackends.create({
        body: `hello ${i}`,
        headers: asMap({ 'content-type': 'text/plain' }),
        statusCode: 200 + i,
        description: `r${i}`,
      }),
    );
  }
  const hr = responses[0]!;
  assert.match(hr.id, /^bkdhr_[0-9a-z]{27}$/);
  assert.equal(hr.uri, `${edge.bootstrap.api_url}/backends/http_response/${hr.id}`);
  assert.equal(hr.body, 'hello 0');
  assert.equal(hr.statusCode, 200);
  assert.deepEqual(await httpResponseBackends.get(hr.id), hr);
  // Header names are lower-cased on read (seen raw: the TS client camel-folds "-x" in map keys).
  const raw = await apiFetch(edge, 'POST', '/backends/http_response', {
    body: '',
    headers: { 'X-Reason': 'Maintenance' },
    status_code: 503,
  });
  assert.equal(raw.status, 201);
  assert.deepEqual(raw.body.headers, { 'x-reason': 'Maintenance' });
  const defaulted = await apiFetch(edge, 'POST', '/backends/http_response', {});
  assert.equal(defaulted.body.status_code, 200);
  assert.equal(defaulted.body.body, '');

  // Paging across several pages, newest first; all kinds list under "backends".
  const listed = await httpResponseBackends.list(undefined, '2');
  assert.deepEqual(
    listed.map((b) => b.id),
    [defaulted.body.id, raw.body.id, ...responses.map((b) => b.id).reverse()],
  );
  const page = await apiFetch(edge, 'GET', '/backends/http_response?limit=2');
  assert.equal((page.body.backends as unknown[]).length, 2);
  assert.match(String(page.body.next_page_uri), /before_id=bkdhr_/);

  const updated = await httpResponseBackends.update({ id: hr.id, body: 'changed', statusCode: 404 });
  assert.equal(updated.body, 'changed');
  assert.equal(updated.statusCode, 404);
  assert.equal(updated.description, 'r0');

  assert.equal(
    (await apiFetch(edge, 'POST', '/backends/http_response', { status_code: 99 })).body.error_code,
    'ERR_NGROK_215',
  );
  assert.equal(
    (await apiFetch(edge, 'PATCH', `/backends/http_response/${hr.id}`, { status_code: 600 })).body.error_code,
    'ERR_NGROK_215',
  );
  assert.equal((await apiFetch(edge, 'POST', '/backends/http_response', { headers: { 'bad name': 'x' } })).status, 400);
  const control = await apiFetch(edge, 'POST', '/backends/http_response', { headers: { 'x-a': 'one\x01two' } });
  assert.deepEqual([control.status, control.body.error_code], [400, 'ERR_NGROK_215']);
  assert.match(String(control.body.msg), /headers\.x-a.*control characters/);

  // Failover: ordered children that must exist; no cycles.
  const fo = await failoverBackends.create({
    backends: [responses[1]!.id, responses[2]!.id],
    description: 'primary then spare',
  });
  assert.match(fo.id, /^bkdfo_[0-9a-z]{27}$/);
  assert.deepEqual(fo.backends, [responses[1]!.id, responses[2]!.id]);
  assert.deepEqual(await failoverBackends.get(fo.id), fo);
  await assert.rejects(failoverBackends.create({ backends: ['bkdhr_nope'] }), errorCode('ERR_NGROK_242'));
  await assert.rejects(failoverBackends.create({ backends: ['ipp_nope'] }), errorCode('ERR_NGROK_242'));
  const outer = await failoverBackends.create({ backends: [fo.id] });
  await assert.rejects(failoverBackends.update({ id: fo.id, backends: [outer.id] }), errorCode('ERR_BACKEND_CYCLE'));
  await assert.rejects(failoverBackends.update({ id: fo.id, backends: [fo.id] }), errorCode('ERR_BACKEND_CYCLE'));
  const reordered = await failoverBackends.update({ id: fo.id, backends: [responses[2]!.id, responses[1]!.id] });
  assert.deepEqual(reordered.backends, [responses[2]!.id, responses[1]!.id]);
  assert.equal(reordered.description, 'primary then spare');
  assert.deepEqual(
    (await failoverBackends.list()).map((b) => b.id),
    [outer.id, fo.id],
  );

  // In use: a child of a failover cannot be deleted; the error names its user.
  const inUse = await apiFetch(edge, 'DELETE', `/backends/http_response/${responses[1]!.id}`);
  assert.equal(inUse.status, 400);
  assert.equal(inUse.body.error_code, 'ERR_NGROK_6502');
  assert.match(String(inUse.body.msg), new RegExp(fo.id));
  await assert.rejects(failoverBackends.delete(fo.id), errorCode('ERR_NGROK_6502'));
  assert.deepEqual(await failoverBackends.delete(outer.id), {});
  assert.deepEqual(await failoverBackends.delete(fo.id), {});
  assert.deepEqual(await httpResponseBackends.delete(responses[1]!.id), {});
  await assert.rejects(
    httpResponseBackends.get(responses[1]!.id),
    (e: { statusCode?: number }) => e.statusCode === 404,
  );
  await assert.rejects(
    failoverBackends.get(hr.id),
    (e: { statusCode?: number }) => e.statusCode === 404,
    'wrong kind is 404',
  );

  // Isolation: another account sees none of them and cannot reference them.
  const other = await otherAccount(edge);
  assert.deepEqual((await apiFetch(edge, 'GET', '/backends/http_response', undefined, other.apiKey)).body.backends, []);
  assert.equal((await apiFetch(edge, 'GET', `/backends/http_response/${hr.id}`, undefined, other.apiKey)).status, 404);
  assert.equal(
    (await apiFetch(edge, 'DELETE', `/backends/http_response/${hr.id}`, undefined, other.apiKey)).status,
    404,
  );
  assert.equal(
    (await apiFetch(edge, 'POST', '/backends/failover', { backends: [hr.id] }, other.apiKey)).body.error_code,
    'ERR_NGROK_242',
  );
});

test('weighted backends: id-keyed weight maps survive the TS client; bad ids and weights refused', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { weightedBackends, httpResponseBackends } = ngrok.backends;
  const a = await httpResponseBackends.create({ body: 'a', headers: asMap({}) });
  const b = await httpResponseBackends.create({ body: 'b', headers: asMap({}) });

  const wd = await weightedBackends.create({ backends: asMap({ [a.id]: 3, [b.id]: 1 }), metadata: 'm' });
  assert.match(wd.id, /^bkdwd_[0-9a-z]{27}$/);
  // Our lower-case ids pass the client's request-side key mangling unchanged: the server stored them exactly.
  const stored = await apiFetch(edge, 'GET', `/backends/weighted/${wd.id}`);
  assert.deepEqual(stored.body.backends, { [a.id]: 3, [b.id]: 1 });
  // On the way back the client camel-folds "_x" in map keys (the official @ngrok/ngrok-api client does that to every map); not the edge.
  const fold = (id: string) => id.replace(/[-_]\w/g, (g) => g[1]!.toUpperCase());
  assert.deepEqual(
    Object.keys(wd.backends as unknown as Record<string, number>).sort(),
    [fold(a.id), fold(b.id)].sort(),
  );
  assert.deepEqual(await weightedBackends.get(wd.id), wd);

  await assert.rejects(weightedBackends.create({ backends: asMap({ bkdhr_nope: 1 }) }), errorCode('ERR_NGROK_242'));
  assert.equal(
    (await apiFetch(edge, 'POST', '/backends/weighted', { backends: { [a.id]: 10001 } })).body.error_code,
    'ERR_NGROK_215',
  );
  assert.equal((await apiFetch(edge, 'POST', '/backends/weighted', { backends: { [a.id]: -1 } })).status, 400);
  assert.equal((await apiFetch(edge, 'POST', '/backends/weighted', { backends: { [a.id]: 1.5 } })).status, 400);
  assert.equal((await apiFetch(edge, 'POST', '/backends/weighted', { backends: { [a.id]: '5' } })).status, 400);

  const updated = await weightedBackends.update({ id: wd.id, backends: asMap({ [a.id]: 0, [b.id]: 10000 }) });
  assert.equal(updated.metadata, 'm');
  assert.deepEqual((await apiFetch(edge, 'GET', `/backends/weighted/${wd.id}`)).body.backends, {
    [a.id]: 0,
    [b.id]: 10000,
  });
  // A weighted backend inside a failover inside itself would loop.
  const fo = await ngrok.backends.failoverBackends.create({ backends: [wd.id] });
  await assert.rejects(
    weightedBackends.update({ id: wd.id, backends: asMap({ [fo.id]: 1 }) }),
    errorCode('ERR_BACKEND_CYCLE'),
  );

  const others = [];
  for (let i = 0; i < 4; i++) others.push(await weightedBackends.create({ backends: asMap({ [a.id]: i }) }));
  assert.deepEqual(
    (await weightedBackends.list(undefined, '2')).map((w) => w.id),
    [...others.map((w) => w.id).reverse(), wd.id],
  );
  await assert.rejects(httpResponseBackends.delete(a.id), errorCode('ERR_NGROK_6502'));
  await assert.rejects(weightedBackends.delete(wd.id), errorCode('ERR_NGROK_6502'));
  await ngrok.backends.failoverBackends.delete(fo.id);
  assert.deepEqual(await weightedBackends.delete(wd.id), {});

  const other = await otherAccount(edge);
  assert.equal(
    (await apiFetch(edge, 'GET', `/backends/weighted/${others[0]!.id}`, undefined, other.apiKey)).status,
    404,
  );
  assert.equal(
    (await apiFetch(edge, 'POST', '/backends/weighted', { backends: { [a.id]: 1 } }, other.apiKey)).body.error_code,
    'ERR_NGROK_242',
  );
});

test('tunnel_group backends list the live labeled tunnels of our agent and the official SDK', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { tunnelGroupBackends, failoverBackends } = ngrok.backends;
  const web = await startHttpService(t, (_req, res) => res.end('ok'));

  const tg = await tunnelGroupBackends.create({ labels: asMap({ app: 'x' }), description: 'app x' });
  assert.match(tg.id, /^bkdtg_[0-9a-z]{27}$/);
  assert.deepEqual(tg.labels, { app: 'x' });
  assert.deepEqual(tg.tunnels, []);
  const narrower = await tunnelGroupBackends.create({ labels: asMap({ app: 'x', env: 'prod' }) });

  const ours = await forwardTo(t, edge, {
    addr: web.port,
    labels: { app: 'x' },
  });
  const session = await sdkSession(t, edge);
  const sdk = await session.labeledListener().label('app', 'x').label('env', 'prod').listenAndForward(web.url);

  const uri = (id: string) => `${edge.bootstrap.api_url}/tunnels/${id}`;
  const got = await tunnelGroupBackends.get(tg.id);
  assert.deepEqual(got.tunnels.map((r) => r.id).sort(), [ours.id, sdk.id()].sort());
  assert.deepEqual(got.tunnels.find((r) => r.id === ours.id)!.uri, uri(ours.id));
  assert.deepEqual((await tunnelGroupBackends.get(narrower.id)).tunnels, [{ id: sdk.id(), uri: uri(sdk.id()) }]);
  assert.deepEqual(
    (await tunnelGroupBackends.list()).map((b) => b.id),
    [narrower.id, tg.id],
  );

  // Another account's identical backend sees none of these tunnels.
  const other = await otherAccount(edge);
  const foreign = await apiFetch(edge, 'POST', '/backends/tunnel_group', { labels: { app: 'x' } }, other.apiKey);
  assert.deepEqual(foreign.body.tunnels, []);
  assert.equal((await apiFetch(edge, 'GET', `/backends/tunnel_group/${tg.id}`, undefined, other.apiKey)).status, 404);

  await ours.close();
  await eventually(async () => (await tunnelGroupBackends.get(tg.id)).tunnels.length === 1, 5000, 'our tunnel gone');

  const relabeled = await tunnelGroupBackends.update({ id: tg.id, labels: asMap({ app: 'y' }) });
  assert.deepEqual(relabeled.labels, { app: 'y' });
  assert.deepEqual(relabeled.tunnels, []);
  assert.equal(relabeled.description, 'app x');
  assert.equal(
    (await apiFetch(edge, 'POST', '/backends/tunnel_group', { labels: {} })).body.error_code,
    'ERR_NGROK_215',
  );
  assert.equal(
    (await apiFetch(edge, 'POST', '/backends/tunnel_group', { labels: { app: 1 } })).body.error_code,
    'ERR_NGROK_215',
  );

  // A failover that contains a tunnel-group backend keeps it alive.
  const fo = await failoverBackends.create({ backends: [tg.id] });
  await assert.rejects(tunnelGroupBackends.delete(tg.id), errorCode('ERR_NGROK_6502'));
  await failoverBackends.delete(fo.id);
  assert.deepEqual(await tunnelGroupBackends.delete(tg.id), {});
});

test('static backends: CRUD through the TS client, address checked with ngrok codes, in-use delete refused', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { staticBackends, failoverBackends } = ngrok.backends;

  const sb = await staticBackends.create({
    address: 'api.internal.example:8443',
    tls: { enabled: true },
    description: 'internal api',
    metadata: '{"team":"a"}',
  });
  assert.match(sb.id, /^bkdsc_[0-9a-z]{27}$/);
  assert.equal(sb.uri, `${edge.bootstrap.api_url}/backends/static/${sb.id}`);
  assert.equal(sb.address, 'api.internal.example:8443');
  assert.deepEqual(sb.tls, { enabled: true });
  assert.equal(sb.description, 'internal api');
  assert.deepEqual(await staticBackends.get(sb.id), sb);

  // tls defaults to off and always reads as an object.
  const plain = await apiFetch(edge, 'POST', '/backends/static', { address: '[::1]:80' });
  assert.equal(plain.status, 201);
  assert.deepEqual(plain.body.tls, { enabled: false });
  assert.equal(plain.body.address, '[::1]:80');

  const updated = await staticBackends.update({ id: sb.id, address: '10.0.0.7:443', tls: { enabled: false } });
  assert.equal(updated.address, '10.0.0.7:443');
  assert.deepEqual(updated.tls, { enabled: false });
  assert.equal(updated.description, 'internal api', 'fields not sent are kept');
  assert.equal(
    (await apiFetch(edge, 'PATCH', `/backends/static/${sb.id}`, { description: 'x' })).body.address,
    '10.0.0.7:443',
  );

  assert.deepEqual(
    (await staticBackends.list()).map((b) => b.id),
    [plain.body.id, sb.id],
  );
  const page = await apiFetch(edge, 'GET', '/backends/static?limit=1');
  assert.equal((page.body.backends as unknown[]).length, 1);
  assert.match(String(page.body.next_page_uri), /before_id=bkdsc_/);

  // Bad addresses: ngrok's numbered codes, naming the field; nothing stored.
  const refused = async (body: unknown, code: string) => {
    const res = await apiFetch(edge, 'POST', '/backends/static', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error_code, code, JSON.stringify(body));
  };
  await refused({}, 'ERR_NGROK_6505');
  await refused({ address: 'example.com' }, 'ERR_NGROK_6505');
  await refused({ address: ':443' }, 'ERR_NGROK_6507');
  await refused({ address: 'example.com:0' }, 'ERR_NGROK_6506');
  await refused({ address: 'example.com:65536' }, 'ERR_NGROK_6506');
  await refused({ address: 'bad host:80' }, 'ERR_NGROK_6506');
  await refused({ address: `${'a'.repeat(300)}:80` }, 'ERR_NGROK_6506');
  await refused({ address: 'example.com:80', tls: { enabled: 'yes' } }, 'ERR_NGROK_215');
  await assert.rejects(
    staticBackends.update({ id: sb.id, address: 'nope', tls: { enabled: false } }),
    errorCode('ERR_NGROK_6505'),
  );
  assert.equal((await staticBackends.get(sb.id)).address, '10.0.0.7:443');
  assert.equal((await staticBackends.list()).length, 2);

  // In use by a failover backend and by an HTTPS edge route: refused with ngrok's 6502.
  const fo = await failoverBackends.create({ backends: [sb.id] });
  await assert.rejects(staticBackends.delete(sb.id), errorCode('ERR_NGROK_6502'));
  await failoverBackends.delete(fo.id);
  const https = await ngrok.edges.edgesHttps.create({ hostports: [] });
  const route = await ngrok.edges.edgesHttpsRoutes.create({
    edgeId: https.id,
    matchType: 'path_prefix',
    match: '/',
    backend: { backendId: sb.id },
  });
  assert.equal(route.backend?.backend.uri, sb.uri, "the route's backend ref points under /backends/static");
  const inUse = await apiFetch(edge, 'DELETE', `/backends/static/${sb.id}`);
  assert.equal(inUse.body.error_code, 'ERR_NGROK_6502');
  assert.match(String(inUse.body.msg), new RegExp(https.id));
  await ngrok.edges.edgesHttpsRoutes.delete({ edgeId: https.id, id: route.id });
  assert.deepEqual(await staticBackends.delete(sb.id), {});
  await assert.rejects(staticBackends.get(sb.id), (e: { statusCode?: number }) => e.statusCode === 404);

  const other = await otherAccount(edge);
  assert.equal(
    (await apiFetch(edge, 'GET', `/backends/static/${String(plain.body.id)}`, undefined, other.apiKey)).status,
    404,
  );
});
