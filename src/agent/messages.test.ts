import assert from 'node:assert/strict';
import type { JsonObject } from '../protocol/messages.ts';
import { test } from 'node:test';
import {
  parseAuthRequest,
  parseBindRequest,
  parseEndpointOpts,
  parseStartTunnelWithLabelRequest,
  rpcError,
} from '../protocol/messages.ts';
import { authRequest, parseAuthResponse } from './auth.ts';
import { EdgeRpcError, splitEdgeError } from './edge-error.ts';
import { badGatewayResponse } from './bad-gateway.ts';
import { bindRequest, labelRequest, parseBindResponse, parseLabelResponse } from './tunnel-messages.ts';
import { agentVersion } from './version.ts';

test('Auth carries versions, resume state, heartbeat nanoseconds and the supported commands', () => {
  const body = authRequest({
    authtoken: 'tok',
    metadata: 'meta',
    heartbeatIntervalMs: 10_000,
    heartbeatToleranceMs: 15_000,
    resume: { clientId: 'cid', cookie: 'ck' },
  });
  assert.deepEqual(Object.keys(body), ['Version', 'ClientId', 'Extra']);
  const extra = body.Extra as Record<string, unknown>;
  assert.equal(extra.HeartbeatInterval, 10_000_000_000);
  assert.equal(extra.HeartbeatTolerance, 15_000_000_000);
  assert.equal(extra.UserAgent, `portico-agent/${agentVersion}`);
  assert.equal(extra.ClientType, 'portico');
  // The edge's own reader sees what we meant.
  const parsed = parseAuthRequest(JSON.parse(JSON.stringify(body)));
  assert.deepEqual(parsed.version, ['3', '2']);
  assert.equal(parsed.clientId, 'cid');
  assert.equal(parsed.cookie, 'ck');
  assert.equal(parsed.authtoken, 'tok');
  assert.equal(parsed.metadata, 'meta');
  assert.equal(parsed.agentVersion, agentVersion);
  assert.deepEqual(parsed.supports, { stop: true, restart: true, update: false });
  assert.equal(parsed.heartbeatIntervalMs, 10_000);
});

test('an Auth error reply names the edge text and code', () => {
  assert.deepEqual(parseAuthResponse({ Version: '3', ClientId: 'c1', Extra: { Cookie: 'k', Region: 'local' } }), {
    clientId: 'c1',
    cookie: 'k',
    region: 'local',
    accountName: '',
    banner: '',
  });
  assert.throws(
    () =>
      parseAuthResponse({ Version: '3', ClientId: '', Error: 'The authtoken is not valid.\nERR_AUTHTOKEN_INVALID' }),
    (err: EdgeRpcError) =>
      err instanceof EdgeRpcError &&
      err.code === 'ERR_AUTHTOKEN_INVALID' &&
      err.edgeCode === 'ERR_AUTHTOKEN_INVALID' &&
      err.message === 'authentication failed: The authtoken is not valid. (ERR_AUTHTOKEN_INVALID)',
  );
  // A code outside our catalogue is kept as edgeCode; the error's own code falls back.
  assert.throws(
    () => parseAuthResponse({ Error: 'banned\nERR_NGROK_107' }),
    (err: EdgeRpcError) =>
      err.code === 'ERR_AGENT_CONNECT' &&
      err.edgeCode === 'ERR_NGROK_107' &&
      /banned \(ERR_NGROK_107\)/.test(err.message),
  );
  assert.deepEqual(splitEdgeError('just text'), { message: 'just text', code: '' });
  assert.deepEqual(splitEdgeError('a\nb\nERR_X_1'), { message: 'a\nb', code: 'ERR_X_1' });
  assert.deepEqual(splitEdgeError('a\nnot a code'), { message: 'a\nnot a code', code: '' });
});

test("the edge's RPC errors end in ngrok's number where it has one, after our code; our agent keeps ours", () => {
  assert.deepEqual(rpcError('ERR_AUTHTOKEN_INVALID', 'The authtoken is not valid.'), {
    Error: 'The authtoken is not valid.\nERR_AUTHTOKEN_INVALID\nERR_NGROK_107',
  });
  assert.deepEqual(rpcError('ERR_NGROK_108', 'At the limit.'), { Error: 'At the limit.\nERR_NGROK_108' });
  assert.deepEqual(rpcError('ERR_REGION_MISMATCH', 'Other region.'), { Error: 'Other region.\nERR_REGION_MISMATCH' });
  assert.deepEqual(splitEdgeError('taken\nERR_HOSTNAME_TAKEN\nERR_NGROK_334'), {
    message: 'taken',
    code: 'ERR_HOSTNAME_TAKEN',
  });
  assert.deepEqual(splitEdgeError('a\nERR_NGROK_107'), { message: 'a', code: 'ERR_NGROK_107' });
  assert.throws(
    () => parseAuthResponse({ Error: rpcError('ERR_AUTHTOKEN_INVALID', 'The authtoken is not valid.').Error }),
    (err: EdgeRpcError) =>
      err.code === 'ERR_AUTHTOKEN_INVALID' &&
      err.message === 'authentication failed: The authtoken is not valid. (ERR_AUTHTOKEN_INVALID)',
  );
});

test('Bind bodies per protocol, as the edge reads them', () => {
  const http = bindRequest(
    { proto: 'http', forwardsTo: 'http://localhost:3000', subdomain: 'web', metadata: 'm', poolingEnabled: true },
    '',
    undefined,
    'eu',
  );
  assert.deepEqual(http, {
    Id: '',
    Proto: 'https',
    ForwardsTo: 'http://localhost:3000',
    ForwardsProto: '',
    Opts: { Domain: '', Hostname: '', Subdomain: 'web', Auth: '', HostHeaderRewrite: false, ProxyProto: 0 },
    Extra: { Token: '', IPPolicyRef: '', Metadata: 'm', Bindings: [], PoolingEnabled: true, Region: 'eu' },
  });
  const parsed = parseBindRequest(JSON.parse(JSON.stringify(http)));
  assert.equal(parsed.poolingEnabled, true);
  assert.deepEqual(parseEndpointOpts(parsed.opts).modules, []);
  assert.equal(bindRequest({ proto: 'http', scheme: 'http', forwardsTo: 'x' }, '', undefined).Proto, 'http');
  assert.deepEqual(
    bindRequest({ proto: 'tcp', forwardsTo: 'localhost:22', remoteAddr: 'e:20001' }, '', undefined).Opts,
    { Addr: 'e:20001', ProxyProto: 0 },
  );
  assert.deepEqual(bindRequest({ proto: 'tls', forwardsTo: 'localhost:443', hostname: 'a.b' }, '', undefined).Opts, {
    Domain: '',
    Hostname: 'a.b',
    Subdomain: '',
    ProxyProto: 0,
    MutualTLSAtAgent: false,
  });
  assert.equal('Region' in (bindRequest({ forwardsTo: 'x' }, '', undefined).Extra as object), false);
  // A named endpoint (a config file's) sends its name and description as ngrok-go v2 does, and its URL.
  const named = bindRequest(
    { name: 'db', description: 'the database', proto: 'tcp', forwardsTo: 'localhost:5432', url: 'tcp://e:20001' },
    '',
    undefined,
  );
  assert.deepEqual(
    [named.Opts, (named.Extra as JsonObject).Name, (named.Extra as JsonObject).Description],
    [{ Addr: '', ProxyProto: 0, URL: 'tcp://e:20001' }, 'db', 'the database'],
  );
  const read = parseBindRequest(JSON.parse(JSON.stringify(named)));
  assert.deepEqual(
    [read.name, read.description, parseEndpointOpts(read.opts).url],
    ['db', 'the database', 'tcp://e:20001'],
  );
  assert.throws(
    () => bindRequest({ proto: 'tcp', forwardsTo: 'x', url: 'tcp://e:1', remoteAddr: 'e:1' }, '', undefined),
    /url and remoteAddr both name the address/,
  );
  // A rebind replays the id and the response Opts verbatim.
  const replay = bindRequest({ proto: 'tcp', forwardsTo: 'localhost:22' }, 'tun_1', {
    Addr: 'localhost:20005',
    ProxyProto: 0,
    URL: 'u',
  });
  assert.equal(replay.Id, 'tun_1');
  assert.deepEqual(replay.Opts, { Addr: 'localhost:20005', ProxyProto: 0, URL: 'u' });
});

test('StartTunnelWithLabel body and replies', () => {
  const body = labelRequest({ forwardsTo: 'http://localhost:8081', labels: { edge: 'e1' }, metadata: 'm' }, 'eu');
  assert.deepEqual(body, {
    Labels: { edge: 'e1' },
    ForwardsTo: 'http://localhost:8081',
    ForwardsProto: '',
    Metadata: 'm',
    Region: 'eu',
  });
  assert.deepEqual(parseStartTunnelWithLabelRequest(body).labels, { edge: 'e1' });
  assert.deepEqual(parseLabelResponse({ Id: 'lt_1' }, { forwardsTo: 'x', labels: { edge: 'e1' } }), { id: 'lt_1' });
  assert.throws(() => parseLabelResponse({ Error: 'no\nERR_LABELS_INVALID' }, { forwardsTo: 'x', labels: {} }), {
    code: 'ERR_LABELS_INVALID',
  });
  const bound = parseBindResponse(
    { Id: 't', URL: 'https://x', Proto: 'https', Opts: { Hostname: 'x' }, Extra: { Token: '' } },
    { forwardsTo: 'x' },
  );
  assert.deepEqual(bound, { id: 't', url: 'https://x', proto: 'https', opts: { Hostname: 'x' } });
  assert.throws(
    () => parseBindResponse({ Error: 'taken\nERR_HOSTNAME_TAKEN' }, { forwardsTo: 'x' }),
    /taken \(ERR_HOSTNAME_TAKEN\)/,
  );
});

test('an endpoint spec field its protocol would drop is refused rather than bound without it', () => {
  const cases: Array<[Parameters<typeof bindRequest>[0], RegExp]> = [
    [{ proto: 'tcp', forwardsTo: 'localhost:22', domain: 'a.example.com' }, /domain does not apply to a tcp endpoint/],
    [{ proto: 'tcp', forwardsTo: 'localhost:22', scheme: 'http' }, /scheme applies to http endpoints only/],
    [{ proto: 'tls', forwardsTo: 'localhost:443', scheme: 'http' }, /scheme applies to http endpoints only/],
    [
      { proto: 'http', forwardsTo: 'http://localhost:80', remoteAddr: 'x:1' },
      /remoteAddr applies to tcp endpoints only/,
    ],
    [
      { proto: 'https', forwardsTo: 'http://localhost:80', scheme: 'http' },
      /scheme http does not apply to an https endpoint/,
    ],
    [
      { proto: 'http', forwardsTo: 'http://localhost:80', domain: 'a.b.c', subdomain: 'x' },
      /domain and subdomain both name the hostname/,
    ],
  ];
  for (const [spec, pattern] of cases)
    assert.throws(() => bindRequest(spec, '', undefined), { code: 'ERR_AGENT_CONFIG', message: pattern });
});

test('a labeled spec with anything StartTunnelWithLabel cannot carry is refused, not sent without it', () => {
  const base = { name: 'api', proto: 'http' as const, forwardsTo: 'http://localhost:8081', labels: { app: 'api' } };
  assert.doesNotThrow(() => labelRequest({ ...base, metadata: 'm', inspect: false }));
  for (const extra of [
    { modules: { basicAuth: ['admin:a-long-password'] } },
    { modules: { cidrAllow: ['10.0.0.0/8'] } },
    { subdomain: 'api' },
    { remoteAddr: 'localhost:20001' },
    { poolingEnabled: true },
    { scheme: 'http' as const },
  ]) {
    assert.throws(() => labelRequest({ ...base, ...extra }), {
      code: 'ERR_AGENT_CONFIG',
      message:
        /a labeled tunnel carries only its labels, address and metadata: \w+ would be dropped; modules go on the route of the edge/,
    });
  }
});

test('the 502 page is a complete HTTP/1.1 response naming the code and the address', () => {
  const text = badGatewayResponse('http://localhost:3000', new Error('connect ECONNREFUSED')).toString();
  const [head, body] = text.split('\r\n\r\n') as [string, string];
  assert.match(head, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
  assert.match(head, new RegExp(`Content-Length: ${Buffer.byteLength(body)}`));
  assert.match(body, /ERR_EDGE_UPSTREAM_REFUSED/);
  assert.match(head, /\r\nNgrok-Error-Code: ERR_NGROK_8012\r\n/);
  assert.match(body, /http:\/\/localhost:3000: connect ECONNREFUSED/);
});
