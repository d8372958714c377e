// Module options agents give in their bind (basic auth, IP restriction, headers, …) are run by
// the edge on the agent endpoint, for the official SDK, our agent and older agents alike; the
// options the edge does not run are refused at bind, never ignored.
import assert from 'node:assert/strict';
import https from 'node:https';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import ngrok from '@ngrok/ngrok';
import { request } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { forwardTo, startTestEdge } from '../support/edge.ts';
import { rawAgent } from '../support/raw-agent.ts';
import { sleep, startHttpService } from '../support/services.ts';
import { sdkForward } from '../support/sdk.ts';
import { getFrom, tcpFrom } from '../support/from-address.ts';

/** A service answering with the request headers it saw (JSON), and a header the edge should remove. */
async function headerService(t: TestContext): Promise<{ url: string; port: number; hits: () => number }> {
  let hits = 0;
  const service = await startHttpService(t, (req, res) => {
    hits++;
    res.setHeader('x-secret', 'internal');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.headers));
  });
  return { url: service.url, port: service.port, hits: () => hits };
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

test('official SDK: basic auth answers 401 with a challenge, then lets the right credentials through; request and response headers are edited', async (t) => {
  const edge = await startTestEdge(t);
  const service = await headerService(t);
  const listener = await sdkForward(t, edge, {
    addr: service.port,
    domain: 'sdk-opts.localhost',
    basic_auth: ['user:password1', 'other:password2'],
    request_header_add: ['x-from: sdk'],
    request_header_remove: ['x-drop'],
    response_header_add: ['x-edge: yes'],
    response_header_remove: ['x-secret'],
  });
  const url = listener.url()!;

  const anonymous = await request(url, { ca: edge.caPem });
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="ngrok", charset="UTF-8"');
  const wrong = await request(url, { ca: edge.caPem, headers: { authorization: basic('user', 'password2') } });
  assert.equal(wrong.status, 401);
  // A WebSocket upgrade passes the same chain.
  const upgrade = await new Promise<number>((resolve, reject) => {
    const u = new URL(url);
    https
      .request({
        host: '127.0.0.1',
        port: u.port,
        servername: u.hostname,
        headers: { host: u.host, connection: 'Upgrade', upgrade: 'websocket' },
        ca: edge.caPem,
      })
      .on('response', (res) => resolve(res.statusCode ?? 0))
      .on('upgrade', () => resolve(101))
      .on('error', reject)
      .end();
  });
  assert.equal(upgrade, 401);
  assert.equal(service.hits(), 0, 'nothing reached the service');

  const ok = await request(url, {
    ca: edge.caPem,
    headers: { authorization: basic('other', 'password2'), 'x-drop': 'gone' },
  });
  assert.equal(ok.status, 200);
  const seen = JSON.parse(ok.body.toString()) as Record<string, string>;
  assert.equal(seen['x-from'], 'sdk');
  assert.equal(seen['x-drop'], undefined);
  assert.equal(ok.headers['x-edge'], 'yes');
  assert.equal(ok.headers['x-secret'], undefined);
});

test('official SDK: IP restriction on an HTTP endpoint (allow, and deny only) and on a TCP endpoint, where a refused source is closed before the service sees a byte', async (t) => {
  const edge = await startTestEdge(t);
  const service = await headerService(t);
  await sdkForward(t, edge, {
    addr: service.port,
    domain: 'allow.localhost',
    ip_restriction_allow_cidrs: ['127.0.0.1/32'],
  });
  await sdkForward(t, edge, { addr: service.port, domain: 'deny.localhost', ip_restriction_deny_cidrs: '127.0.0.2' });
  assert.equal((await getFrom(edge, 'allow.localhost', '127.0.0.1')).status, 200);
  const allowRefused = await getFrom(edge, 'allow.localhost', '127.0.0.2');
  assert.deepEqual([allowRefused.status, allowRefused.code], [403, 'ERR_NGROK_3205']);
  assert.equal((await getFrom(edge, 'deny.localhost', '127.0.0.1')).status, 200);
  const denyRefused = await getFrom(edge, 'deny.localhost', '127.0.0.2');
  assert.deepEqual([denyRefused.status, denyRefused.code], [403, 'ERR_NGROK_3205']);

  const seen: string[] = [];
  const echo = net.createServer((s) => {
    s.on('data', (d: Buffer) => seen.push(d.toString()));
    s.on('error', () => {});
    s.on('end', () => s.end('echo'));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => echo.close(() => r())));
  const tcp = await sdkForward(t, edge, {
    proto: 'tcp',
    addr: (echo.address() as net.AddressInfo).port,
    ip_restriction_deny_cidrs: ['127.0.0.2/32'],
  });
  const port = Number(new URL(tcp.url()!).port);
  assert.equal(await tcpFrom(port, '127.0.0.1', 'allowed'), 'echo');
  assert.equal(await tcpFrom(port, '127.0.0.2', 'refused'), '');
  await sleep(200);
  assert.deepEqual(seen, ['allowed']);
});

test('official SDK: OAuth without an own application, Traffic Policy and a too-short basic auth password are refused at bind, visibly', async (t) => {
  const edge = await startTestEdge(t);
  const service = await headerService(t);
  const refused = async (config: ngrok.Config, check: (err: Error & { errorCode?: string }) => boolean) =>
    assert.rejects(sdkForward(t, edge, { addr: service.port, ...config }), (err: Error & { errorCode?: string }) => {
      assert.ok(check(err), `${err.message} (${err.errorCode})`);
      return true;
    });
  await refused(
    { oauth_provider: 'google' },
    (err) => /ERR_OAUTH_MANAGED_APP_UNSUPPORTED/.test(err.message) && /OAuth\.client_id/.test(err.message),
  );
  await refused(
    { traffic_policy: '{"on_http_request":[]}' },
    (err) => /ERR_OPTION_UNSUPPORTED/.test(err.message) && /TrafficPolicy/.test(err.message),
  );
  await refused({ basic_auth: 'user:short' }, (err) => err.errorCode === 'ERR_NGROK_360');
  assert.equal(edge.registry.tunnels.size, 0);
});

test("older agents' Auth and HostHeaderRewrite; a malformed header or CIDR refuses the bind", async (t) => {
  const edge = await startTestEdge(t);
  const service = await headerService(t);
  const raw = await rawAgent(t, edge);
  await raw.auth(edge.credentials.authtoken);
  const forwardsTo = `http://localhost:${service.port}`;
  const bound = await raw.bind({
    Proto: 'https',
    ForwardsTo: forwardsTo,
    Opts: { Hostname: 'old.localhost', Auth: 'user:pass:word', HostHeaderRewrite: true },
  });
  assert.equal(bound.Error, '');
  // The raw agent forwards nothing: what matters is the edge's answer and what it would send.
  const url = `https://old.localhost:${edge.ports.https}/`;
  assert.equal((await request(url, { ca: edge.caPem })).status, 401);
  const tunnel = edge.registry.tunnels.get(String(bound.Id))!;
  assert.deepEqual(
    tunnel.modules?.map((m) => m.name),
    ['basic_auth', 'request_headers'],
  );

  const malformed = await raw.bind({ Opts: { Hostname: 'bad.localhost', RequestHeaders: { add: ['no-colon'] } } });
  assert.match(String(malformed.Error), /ERR_HEADER_OPTION_INVALID/);
  assert.match(String(malformed.Error), /RequestHeaders\.add\[0\]/);
  const cidr = await raw.bind({
    Opts: { Hostname: 'bad.localhost', IPRestriction: { allow_cidrs: ['10.0.0.0/33'], deny_cidrs: [] } },
  });
  assert.match(String(cidr.Error), /ERR_NGROK_1410/);
  const hashed = await raw.bind({
    Opts: {
      Hostname: 'bad.localhost',
      BasicAuth: { credentials: [{ username: 'u', hashed_password: Buffer.from('$2a$10$abc').toString('base64') }] },
    },
  });
  assert.match(String(hashed.Error), /bcrypt/);
  assert.equal(edge.registry.httpsEndpoint('bad.localhost'), undefined);
});

test('our agent: forward() with basic auth, headers and Host rewriting', async (t) => {
  const edge = await startTestEdge(t);
  const service = await headerService(t);
  const agent = await forwardTo(t, edge, {
    addr: `localhost:${service.port}`,
    subdomain: 'ours',
    basicAuth: ['user:password1'],
    requestHeaderAdd: ['x-from: portico'],
    responseHeaderRemove: ['x-secret'],
    hostHeader: 'rewrite',
  });
  assert.equal((await request(agent.url, { ca: edge.caPem })).status, 401);
  const ok = await request(agent.url, { ca: edge.caPem, headers: { authorization: basic('user', 'password1') } });
  assert.equal(ok.status, 200);
  const seen = JSON.parse(ok.body.toString()) as Record<string, string>;
  assert.equal(seen['x-from'], 'portico');
  assert.equal(seen.host, `localhost:${service.port}`);
  assert.equal(ok.headers['x-secret'], undefined);
});
