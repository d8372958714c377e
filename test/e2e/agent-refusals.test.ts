// What a bind (or Auth, a labeled tunnel, a PatchTunnelState) asks for that the edge would
// otherwise drop is refused with a code and the field, never served without it: internal
// bindings, HTTP/2 to the agent, module options of the wrong shape, keys that do not apply to the
// protocol, names that disagree. The official SDK where it can send the field, else by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type ngrok from '@ngrok/ngrok';
import { StreamType } from '../../src/protocol/messages.ts';
import { rpcCall } from '../../src/protocol/rpc.ts';
import { apiFetch } from '../support/api.ts';
import { startTestEdge } from '../support/edge.ts';
import { rawAgent } from '../support/raw-agent.ts';
import { sdkForward } from '../support/sdk.ts';
import { startHttpService } from '../support/services.ts';

type SdkError = Error & { errorCode?: string };

/** A matcher for an `Error` holding every one of `parts`. */
const errorWith =
  (...parts: Array<string | RegExp>) =>
  (error: unknown) => {
    const text = String(error);
    for (const part of parts) assert.ok(typeof part === 'string' ? text.includes(part) : part.test(text), text);
    return true;
  };

test('official SDK: an internal binding, HTTP/2 to the agent and a framing request header are refused at bind', async (t) => {
  const edge = await startTestEdge(t);
  const service = await startHttpService(t, (_req, res) => res.end('public'));
  const refused = (config: ngrok.Config, ...parts: Array<string | RegExp>) =>
    assert.rejects(sdkForward(t, edge, { addr: service.port, ...config }), (err: SdkError) =>
      errorWith(...parts)(err.message),
    );
  await refused(
    { domain: 'internal.localhost', binding: 'internal' },
    'ERR_OPTION_UNSUPPORTED',
    'Bindings',
    'public endpoints only',
  );
  await refused(
    { domain: 'h2.localhost', app_protocol: 'http2' },
    'ERR_OPTION_UNSUPPORTED',
    'ForwardsProto',
    'HTTP/1.1',
  );
  await refused(
    { domain: 'smuggle.localhost', request_header_add: ['transfer-encoding: chunked'] },
    'ERR_AGENT_OPTION_INVALID',
    'RequestHeaders.add[0]',
  );
  await refused(
    { domain: 'smuggle.localhost', response_header_remove: ['content-length'] },
    'ERR_AGENT_OPTION_INVALID',
    'ResponseHeaders.remove[0]',
  );
  assert.equal(edge.registry.tunnels.size, 0);
  // What the SDK sends by default, and "public" said out loud, still binds.
  const open = await sdkForward(t, edge, { addr: service.port, domain: 'public.localhost', binding: 'public' });
  assert.equal(open.url(), `https://public.localhost:${edge.ports.https}`);
});

test('module options of the wrong shape are refused with the field path, not read as off', async (t) => {
  const edge = await startTestEdge(t);
  const raw = await rawAgent(t, edge);
  await raw.auth(edge.credentials.authtoken);
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['IPRestriction', { allowCidrs: ['10.0.0.0/8'] }, 'IPRestriction.allowCidrs'],
    ['IPRestriction', { allow_cidrs: '10.0.0.0/8' }, 'IPRestriction.allow_cidrs'],
    ['IPRestriction', { allow_cidrs: [10] }, 'IPRestriction.allow_cidrs[0]'],
    ['BasicAuth', 'user:password1' as never, 'BasicAuth'],
    ['BasicAuth', { creds: [{ username: 'u', cleartext_password: 'password1' }] }, 'BasicAuth.creds'],
    ['BasicAuth', { credentials: [{ username: 'u', password: 'password1' }] }, 'BasicAuth.credentials[0].password'],
    ['UserAgentFilter', { deny: 'node' }, 'UserAgentFilter.deny'],
    ['UserAgentFilter', ['x'] as never, 'UserAgentFilter'],
    ['OAuth', { provider: 'google', client_id: 'a', client_secret: 'b', allow_emails: 'a@b.c' }, 'OAuth.allow_emails'],
    ['OIDC', { issuer_url: 'https://id.example', allowEmails: ['a@b.c'] }, 'OIDC.allowEmails'],
    ['RequestHeaders', { add: 'x-a:b' }, 'RequestHeaders.add'],
    ['ResponseHeaders', { remove: [1] }, 'ResponseHeaders.remove[0]'],
    ['CircuitBreaker', { error_threshold: '0.5' }, 'CircuitBreaker.error_threshold'],
    ['Compression', true as never, 'Compression'],
    ['WebhookVerification', { provider: 'github', secret: 42 }, 'WebhookVerification.secret'],
    ['WebsocketTCPConverter', { enabled: true }, 'WebsocketTCPConverter.enabled'],
    ['MutualTLSCA', { mutual_tls_ca: ['AAAA'] }, 'MutualTLSCA.mutual_tls_ca'],
  ];
  for (const [key, value, path] of cases) {
    const reply = await raw.bind({ Opts: { Hostname: 'shape.localhost', [key]: value } });
    errorWith('ERR_AGENT_OPTION_INVALID', `${path}:`)(reply.Error);
  }
  assert.equal(edge.registry.tunnels.size, 0);

  // Exactly what the official SDK 1.7.0 sends with every option set binds (null, {} and empty lists included).
  const sdkShapes = {
    Compression: {},
    CircuitBreaker: { error_threshold: 0.5 },
    IPRestriction: { allow_cidrs: ['127.0.0.1/32'], deny_cidrs: [] },
    BasicAuth: { credentials: [{ username: 'user', cleartext_password: 'password1' }] },
    OAuth: null,
    OIDC: {
      issuer_url: 'https://id.example',
      client_id: 'i',
      client_secret: 's',
      allow_emails: ['a@b.c'],
      allow_domains: ['b.c'],
      scopes: ['x'],
    },
    WebhookVerification: { provider: 'github', secret: 's' },
    MutualTLSCA: null,
    RequestHeaders: { add: ['x-a:b'], remove: ['x-c'] },
    ResponseHeaders: { add: ['x-d:e'], remove: ['x-f'] },
    WebsocketTCPConverter: null,
    UserAgentFilter: { allow: ['a'], deny: ['b'] },
    TrafficPolicy: null,
  };
  assert.equal((await raw.bind({ Opts: { Hostname: 'shape.localhost', ...sdkShapes } })).Error, '');
});

test('Extra and plain Opts the edge cannot honour, or that do not apply to the protocol, are refused', async (t) => {
  const edge = await startTestEdge(t);
  const raw = await rawAgent(t, edge);
  await raw.auth(edge.credentials.authtoken);
  const { https } = edge.ports;
  const refused: Array<[Record<string, unknown>, ...string[]]> = [
    [{ Extra: { Bindings: ['kubernetes'] } }, 'ERR_OPTION_UNSUPPORTED', 'Bindings', 'public endpoints only'],
    [{ Extra: { IPPolicyRef: 'ipp_123' } }, 'ERR_OPTION_UNSUPPORTED', 'IPPolicyRef'],
    [{ ForwardsProto: 'grpc' }, 'ERR_OPTION_UNSUPPORTED', 'ForwardsProto'],
    [{ Opts: { ProxyProto: '2' } }, 'ERR_OPTION_UNSUPPORTED', 'ProxyProto'],
    [{ Proto: 'tcp', Opts: { Hostname: 'x.localhost', Addr: '' } }, 'ERR_OPTION_UNSUPPORTED', 'Hostname', 'tcp'],
    [{ Proto: 'tcp', Opts: { Subdomain: 'x' } }, 'ERR_OPTION_UNSUPPORTED', 'Subdomain', 'tcp'],
    [{ Opts: { Hostname: 'x.localhost', Addr: 'localhost:20000' } }, 'ERR_OPTION_UNSUPPORTED', 'Addr', 'https'],
    [{ Opts: { Hostname: 'x.localhost', MutualTLSAtAgent: true } }, 'ERR_OPTION_UNSUPPORTED', 'MutualTLSAtAgent'],
    [
      { ForwardsTo: 'http://localhost:1', Opts: { Hostname: 'x.localhost', LocalUrlScheme: 'https' } },
      'ERR_OPTION_UNSUPPORTED',
      'LocalUrlScheme',
    ],
    [{ Opts: { Hostname: 7 } }, 'ERR_AGENT_OPTION_INVALID', 'Hostname'],
    [
      { Opts: { Hostname: 'a.localhost', Domain: 'b.localhost' } },
      'ERR_AGENT_OPTION_INVALID',
      'Hostname "a.localhost" and Domain "b.localhost"',
    ],
    [{ Opts: { Domain: 'a.localhost', Subdomain: 'b' } }, 'ERR_AGENT_OPTION_INVALID', 'Subdomain "b.localhost"'],
    [{ Opts: { URL: 'https://u.localhost/app' } }, 'ERR_AGENT_OPTION_INVALID', 'no path'],
    [{ Opts: { URL: `https://u.localhost:${https + 1}` } }, 'ERR_AGENT_OPTION_INVALID', `port ${https}`],
  ];
  for (const [body, ...parts] of refused) errorWith(...parts)((await raw.bind(body)).Error);
  assert.equal(edge.registry.tunnels.size, 0);

  // Defaults and agreeing names (as a rebind replays them) bind.
  for (const body of [
    { Extra: { Bindings: ['public'], IPPolicyRef: '' }, ForwardsProto: 'http1', Opts: { Hostname: 'p.localhost' } },
    { Opts: { Hostname: 's.localhost', Subdomain: 's', Domain: '', ProxyProto: 0, MutualTLSAtAgent: false } },
    { Opts: { Hostname: 'u.localhost', URL: `https://u.localhost:${https}` } },
    { ForwardsTo: 'https://localhost:1', Opts: { Hostname: 'l.localhost', LocalUrlScheme: 'https' } },
    { Proto: 'tls', Opts: { Domain: 't.localhost', MutualTLSAtAgent: true } },
    { Proto: 'tcp', Opts: { Addr: '', ProxyProto: 0, IPRestriction: null } },
  ])
    assert.equal((await raw.bind(body)).Error, '', JSON.stringify(body));
});

test('labeled tunnels: a label value that is not a string, or HTTP/2 to the agent, is refused', async (t) => {
  const edge = await startTestEdge(t);
  const raw = await rawAgent(t, edge);
  await raw.auth(edge.credentials.authtoken);
  const label = async (body: Record<string, unknown>) =>
    (await rpcCall(raw.mux, StreamType.StartTunnelWithLabel, {
      ForwardsTo: 'localhost:1',
      ForwardsProto: '',
      Metadata: '',
      ...body,
    })) as Record<string, unknown>;
  errorWith(
    'ERR_AGENT_OPTION_INVALID',
    'Labels.tier',
  )(await label({ Labels: { edge: 'edghts_1', tier: 2 } }).then((r) => r.Error));
  errorWith(
    'ERR_OPTION_UNSUPPORTED',
    'ForwardsProto',
  )((await label({ Labels: { edge: 'edghts_1' }, ForwardsProto: 'http2' })).Error);
  assert.equal(edge.registry.labeledTunnels({ edge: 'edghts_1' }).length, 0);
  assert.equal((await label({ Labels: { edge: 'edghts_1' }, ForwardsProto: 'http1' })).Error, '');
});

test('Auth: a protocol version the edge does not speak is refused; "2" is answered with "2"', async (t) => {
  const edge = await startTestEdge(t);
  const auth = async (Version: string[]) =>
    (await rpcCall((await rawAgent(t, edge)).mux, StreamType.Auth, {
      Version,
      ClientId: '',
      Extra: { Authtoken: edge.credentials.authtoken },
    })) as Record<string, unknown>;
  errorWith('ERR_BAD_REQUEST', '["9"]', 'speaks 3 and 2')((await auth(['9'])).Error);
  const two = await auth(['9', '2']);
  assert.deepEqual([two.Error ?? '', two.Version], ['', '2']);
});

test('PatchTunnelState: metadata, name and description are applied; unknown tunnels, Traffic Policy, long names and a pooling change are refused', async (t) => {
  const edge = await startTestEdge(t);
  const raw = await rawAgent(t, edge);
  await raw.auth(edge.credentials.authtoken);
  const bound = await raw.bind({ Opts: { Hostname: 'patch.localhost' }, Extra: { Metadata: 'before' } });
  const id = String(bound.Id);
  const patch = async (body: Record<string, unknown>) =>
    String(
      ((await rpcCall(raw.mux, StreamType.PatchTunnelState, { TunnelId: id, ...body })) as { Error?: string }).Error,
    );
  errorWith('ERR_TUNNEL_NOT_FOUND', 'tn_nope')(await patch({ TunnelId: 'tn_nope', Metadata: 'x' }));
  errorWith('ERR_OPTION_UNSUPPORTED', 'TrafficPolicy')(await patch({ TrafficPolicy: '{"on_http_request":[]}' }));
  errorWith('ERR_AGENT_OPTION_INVALID', 'Name', '256 bytes')(await patch({ Metadata: 'lost', Name: 'n'.repeat(256) }));
  errorWith('ERR_AGENT_OPTION_INVALID', 'Description')(await patch({ Description: 'é'.repeat(128) }));
  errorWith('ERR_AGENT_OPTION_INVALID', 'Name', 'string')(await patch({ Name: 7 }));
  errorWith('ERR_OPTION_UNSUPPORTED', 'PoolingEnabled', 'false')(await patch({ PoolingEnabled: true }));
  errorWith('ERR_AGENT_OPTION_INVALID', 'Metadata')(await patch({ Metadata: 5 }));
  assert.equal(edge.registry.tunnels.get(id)?.metadata, 'before', 'a refused patch changes nothing');

  assert.equal(
    await patch({ Metadata: 'after', Name: 'web', Description: null, PoolingEnabled: false, TrafficPolicy: '' }),
    '',
  );
  const listed = (await apiFetch(edge, 'GET', '/tunnels')).body.tunnels as Array<{ id: string; metadata: string }>;
  assert.equal(listed.find((x) => x.id === id)?.metadata, 'after');
  const endpoint = (await apiFetch(edge, 'GET', '/endpoints')).body.endpoints as Array<Record<string, unknown>>;
  assert.deepEqual(
    endpoint.map((e) => [e.metadata, e.name, e.description]),
    [['after', 'web', '']],
    'the name is applied, an absent description left as it was',
  );
});
