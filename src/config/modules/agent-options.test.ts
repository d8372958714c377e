import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { compileAgentModules } from './agent-options.ts';

const sha = (s: string) => createHash('sha256').update(s).digest();
const refusedWith = (code: string, field: RegExp) => (err: Error & { code?: string; field?: string }) =>
  err.code === code && field.test(err.field ?? '');

test('every option compiles to its plan, in the fixed module order', () => {
  const { http } = compileAgentModules(
    {
      websocketTcpConverter: true,
      responseHeaders: { add: ['X-Edge: ${conn.client_ip}'], remove: ['Server'] },
      hostHeaderRewrite: true,
      forwardsTo: 'http://localhost:8080/',
      requestHeaders: { add: ['x-a:1'], remove: [] },
      compression: true,
      circuitBreaker: { errorThreshold: 0.3 },
      webhookVerification: { provider: 'GitHub', secret: 's' },
      userAgentFilter: { allow: [], deny: ['curl'] },
      auth: 'old:pass:word',
      basicAuth: [{ username: 'u', cleartextPassword: 'password1' }],
      ipRestriction: { allowCidrs: [], denyCidrs: ['10.1.2.3/8'] },
    },
    'http',
  );
  assert.deepEqual(
    http.map((p) => p.name),
    [
      'ip_restriction',
      'basic_auth',
      'user_agent_filter',
      'webhook_verification',
      'circuit_breaker',
      'request_headers',
      'compression',
      'response_headers',
      'websocket_tcp_converter',
    ],
  );
  assert.deepEqual(http[0], {
    name: 'ip_restriction',
    rules: [
      { cidr: '0.0.0.0/0', action: 'allow' },
      { cidr: '::/0', action: 'allow' },
      { cidr: '10.0.0.0/8', action: 'deny' },
    ],
  });
  assert.deepEqual(http[1], {
    name: 'basic_auth',
    realm: 'ngrok',
    credentials: [
      { username: 'u', passwordSha256: sha('password1').toString('hex') },
      { username: 'old', passwordSha256: sha('pass:word').toString('hex') },
    ],
  });
  const webhook = http[3]!;
  assert.ok(webhook.name === 'webhook_verification');
  assert.equal(webhook.provider, 'github');
  assert.equal(webhook.agentSecret?.reveal(), 's');
  assert.equal(JSON.stringify(webhook).includes('"s"'), false, 'the secret does not show in JSON');
  assert.equal(http[4]!.name === 'circuit_breaker' && http[4].errorThreshold, 0.3);
  const request = http[5]!;
  assert.ok(request.name === 'request_headers');
  assert.deepEqual(
    request.add.map(([n, v]) => [n, v.text]),
    [
      ['host', 'localhost:8080'],
      ['x-a', '1'],
    ],
  );
  const response = http[7]!;
  assert.ok(response.name === 'response_headers');
  assert.deepEqual(response.remove, ['server']);
  assert.deepEqual(response.add[0]![1].parts, ['', 'conn.client_ip', '']);
});

test("ngrok's credential rules: at most 10, usernames non-empty without ':', passwords of 8 to 128 characters, hashes only as SHA-256", () => {
  const basic = (username: string, cleartextPassword: string) => ({ basicAuth: [{ username, cleartextPassword }] });
  assert.throws(() => compileAgentModules(basic('', 'password1'), 'http'), refusedWith('ERR_NGROK_359', /username/));
  assert.throws(
    () => compileAgentModules(basic('a:b', 'password1'), 'http'),
    refusedWith('ERR_NGROK_15011', /username/),
  );
  assert.throws(() => compileAgentModules(basic('u', 'short'), 'http'), refusedWith('ERR_NGROK_360', /cleartext/));
  assert.throws(() => compileAgentModules(basic('u', 'x'.repeat(129)), 'http'), refusedWith('ERR_NGROK_360', /./));
  const eleven = Array.from({ length: 11 }, (_, i) => ({ username: `u${i}`, cleartextPassword: 'password1' }));
  assert.throws(() => compileAgentModules({ basicAuth: eleven }, 'http'), refusedWith('ERR_BASIC_AUTH_INVALID', /./));
  assert.throws(
    () => compileAgentModules({ auth: 'nocolon' }, 'http'),
    refusedWith('ERR_BASIC_AUTH_INVALID', /^Auth$/),
  );
  const hashed = sha('password1').toString('base64');
  const { http } = compileAgentModules({ basicAuth: [{ username: 'u', hashedPassword: hashed }] }, 'http');
  assert.deepEqual(
    http[0]!.name === 'basic_auth' && http[0].credentials[0]!.passwordSha256,
    sha('password1').toString('hex'),
  );
});

test('bad CIDRs, headers and thresholds are refused with the wire field; tcp and tls take only the IP restriction', () => {
  const ip = (allowCidrs: string[]) => ({ ipRestriction: { allowCidrs, denyCidrs: [] } });
  assert.throws(
    () => compileAgentModules(ip(['10.0.0.0/33']), 'http'),
    refusedWith('ERR_NGROK_1410', /allow_cidrs\[0\]/),
  );
  assert.throws(() => compileAgentModules(ip(['010.0.0.1']), 'conn'), refusedWith('ERR_NGROK_1410', /./));
  const add = (entry: string) => ({ requestHeaders: { add: [entry], remove: [] } });
  assert.throws(
    () => compileAgentModules(add('novalue'), 'http'),
    refusedWith('ERR_HEADER_OPTION_INVALID', /add\[0\]/),
  );
  assert.throws(() => compileAgentModules(add('bad name: v'), 'http'), refusedWith('ERR_HEADER_OPTION_INVALID', /./));
  assert.throws(() => compileAgentModules(add('x: ${nope}'), 'http'), refusedWith('ERR_HEADER_TEMPLATE_INVALID', /./));
  // Framing headers would let a bind smuggle requests or desynchronise the client's connection.
  assert.throws(
    () => compileAgentModules(add('Transfer-Encoding: chunked'), 'http'),
    refusedWith('ERR_AGENT_OPTION_INVALID', /^RequestHeaders\.add\[0\]$/),
  );
  assert.throws(
    () => compileAgentModules({ responseHeaders: { add: [], remove: ['x-ok', 'Content-Length'] } }, 'http'),
    refusedWith('ERR_AGENT_OPTION_INVALID', /^ResponseHeaders\.remove\[1\]$/),
  );
  assert.throws(
    () => compileAgentModules({ requestHeaders: { add: [], remove: ['host'] } }, 'http'),
    refusedWith('ERR_AGENT_OPTION_INVALID', /^RequestHeaders\.remove\[0\]$/),
  );
  assert.throws(
    () => compileAgentModules({ circuitBreaker: { errorThreshold: 1.5 } }, 'http'),
    refusedWith('ERR_AGENT_OPTION_INVALID', /CircuitBreaker/),
  );
  assert.throws(
    () => compileAgentModules({ hostHeaderRewrite: true, forwardsTo: '' }, 'http'),
    refusedWith('ERR_OPTION_UNSUPPORTED', /HostHeaderRewrite/),
  );
  assert.throws(
    () => compileAgentModules({ compression: true }, 'conn'),
    refusedWith('ERR_OPTION_UNSUPPORTED', /Compression/),
  );
  assert.deepEqual(compileAgentModules(ip(['127.0.0.1']), 'conn').conn?.rules, [
    { cidr: '127.0.0.1/32', action: 'allow' },
  ]);
  assert.deepEqual(compileAgentModules({ auth: '', hostHeaderRewrite: false, forwardsTo: 'x:1' }, 'http').http, []);
});

test('OIDC: compiles after basic auth with defaults; the secret stays redacted in memory; bad issuers are refused', () => {
  const oidc = {
    issuerUrl: 'https://idp.example.com',
    clientId: 'app',
    clientSecret: 'shh',
    scopes: [],
    allowEmails: [' Alice@Example.com'],
    allowDomains: ['@Example.org'],
  };
  const { http } = compileAgentModules(
    {
      oidc,
      basicAuth: [{ username: 'u', cleartextPassword: 'password1' }],
      userAgentFilter: { allow: [], deny: ['x'] },
    },
    'http',
  );
  assert.deepEqual(
    http.map((p) => p.name),
    ['basic_auth', 'oidc', 'user_agent_filter'],
  );
  const plan = http[1]!;
  assert.ok(plan.name === 'oidc');
  assert.deepEqual(plan.scopes, ['openid', 'profile', 'email']);
  assert.deepEqual(plan.constraints, { allowEmails: ['alice@example.com'], allowDomains: ['example.org'] });
  assert.equal(plan.session.cookiePrefix, 'ngrok.');
  assert.equal(plan.agentSecret?.reveal(), 'shh');
  assert.ok(!JSON.stringify(plan).includes('shh'));
  assert.throws(
    () => compileAgentModules({ oidc: { ...oidc, issuerUrl: 'idp.example.com' } }, 'http'),
    refusedWith('ERR_OIDC_CONFIG_INVALID', /^OIDC\.issuer_url$/),
  );
  assert.throws(() => compileAgentModules({ oidc }, 'conn'), refusedWith('ERR_OPTION_UNSUPPORTED', /^OIDC$/));
});
