import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { readAgentConfig } from './config-file.ts';
import { parseAgentConfig, saveAuthtoken } from './config-yaml.ts';
import { NoTunnelsError, tunnelSpecs } from './tunnels.ts';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portico-config-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const sample = `# my agent
version: "2"
authtoken: old-token
server_addr: edge.example:4443
tunnels:
  web:
    proto: http
    addr: 3000
    subdomain: web
    pooling_enabled: true
  db:
    proto: tcp
    addr: 5432
    remote_addr: edge.example:20001
  secure:
    proto: tls
    addr: localhost:8443
    hostname: secure.example
  api:
    labels: ["edge=edghts_1", "team=core"]
    addr: http://localhost:8081
    metadata: api-meta
`;

test('a v2-style config parses, version "2" included', () => {
  const c = parseAgentConfig(sample);
  assert.deepEqual(c.file, { path: 'config', found: true });
  assert.equal(c.authtoken, 'old-token');
  assert.equal(c.server_addr, 'edge.example:4443');
  assert.deepEqual(c.tunnels.web, { proto: 'http', addr: '3000', subdomain: 'web', pooling_enabled: true });
  assert.deepEqual(c.tunnels.api, {
    addr: 'http://localhost:8081',
    labels: ['edge=edghts_1', 'team=core'],
    metadata: 'api-meta',
  });
});

test('named tunnels become listen specs, in the order asked; --all takes every tunnel', () => {
  const c = parseAgentConfig(sample);
  const [db, web] = tunnelSpecs(c, ['db', 'web'], false);
  assert.deepEqual(db, { name: 'db', proto: 'tcp', forwardsTo: 'localhost:5432', remoteAddr: 'edge.example:20001' });
  assert.deepEqual(web, {
    name: 'web',
    proto: 'http',
    forwardsTo: 'http://localhost:3000',
    subdomain: 'web',
    poolingEnabled: true,
  });
  const all = tunnelSpecs(c, [], true);
  assert.deepEqual(
    all.map((s) => s.name),
    ['web', 'db', 'secure', 'api'],
  );
  assert.deepEqual(all[2], { name: 'secure', proto: 'tls', forwardsTo: 'localhost:8443', hostname: 'secure.example' });
  assert.deepEqual(all[3]!.labels, { edge: 'edghts_1', team: 'core' });
  assert.equal(all[3]!.forwardsTo, 'http://localhost:8081');
  assert.throws(
    () => tunnelSpecs(c, ['nope'], false),
    /no tunnel named "nope" in config \(tunnels: web, db, secure, api\)/,
  );
  assert.throws(() => tunnelSpecs(c, [], false), /--all \(tunnels in config: web, db, secure, api\)/);
  assert.throws(() => tunnelSpecs(c, ['db'], true), /name tunnels \(db\) or pass --all, not both/);
  assert.throws(() => tunnelSpecs(c, ['db', 'web', 'db'], false), /the tunnel "db" is named twice/);
});

test('invalid configs fail with the field path', () => {
  const cases: Array<[string, RegExp]> = [
    ['tunnels:\n  web: { proto: ftp, addr: 1 }\n', /tunnels\.web\.proto: must be one of http, https, tcp, tls/],
    ['tunnels:\n  web: { proto: http }\n', /tunnels\.web\.addr: is required/],
    ['tunnels:\n  web: { addr: 1, labels: "a=b" }\n', /tunnels\.web\.labels: must be a list/],
    ['tunnels:\n  web: { addr: 1, pooling_enabled: "yes" }\n', /tunnels\.web\.pooling_enabled/],
    ['authtoken: [1]\n', /authtoken: must be a string/],
    ['- a\n- b\n', /top level must be a mapping/],
    ['a: [\n', /config/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => parseAgentConfig(text),
      (err: Error & { code?: string }) => err.code === 'ERR_AGENT_CONFIG' && pattern.test(err.message),
      text,
    );
  }
  assert.throws(
    () => tunnelSpecs(parseAgentConfig('tunnels:\n  x: { addr: 1, labels: ["nolabel"] }\n'), ['x'], false),
    /tunnels\.x\.labels\[0\]/,
  );
});

test("the inspector keys: web_addr, inspect_db_size and a tunnel's inspect", () => {
  const c = parseAgentConfig(
    'web_addr: 127.0.0.1:4141\ninspect_db_size: 1048576\ntunnels:\n  web: { addr: 3000, inspect: false }\n',
  );
  assert.equal(c.web_addr, '127.0.0.1:4141');
  assert.equal(c.inspect_db_size, 1048576);
  assert.equal(c.tunnels.web!.inspect, false);
  assert.equal(parseAgentConfig('web_addr: false\n').web_addr, false);
});

test('unknown keys are refused with their path and the file; ngrok keys Portico lacks are "not supported yet"', () => {
  const cases: Array<[string, RegExp]> = [
    [
      'tunnels:\n  web: { addr: 3000, traffic_policy: { on_http_request: [] } }\n',
      /^The agent configuration is invalid\. \(\/etc\/p\.yml: tunnels\.web\.traffic_policy: an ngrok agent setting that Portico does not support yet; remove it\)$/,
    ],
    [
      'tunnels:\n  web: { addr: 3000, ip_restriction: { allow: [10.0.0.0/8] } }\n',
      /tunnels\.web\.ip_restriction\.allow: unknown key \(known keys: allow_cidrs, deny_cidrs\)/,
    ],
    ['tunnels:\n  web: { addr: 3000, compression: "yes" }\n', /tunnels\.web\.compression: must be true or false/],
    ['tunnels:\n  web: { addr: 3000, oauth: { client_id: x } }\n', /tunnels\.web\.oauth\.provider: is required/],
    [
      'tunnels:\n  web: { addr: 3000, oidc: { issuer_url: x, allow_email: [a@b.c] } }\n',
      /tunnels\.web\.oidc\.allow_email: unknown key \(known keys: issuer_url, client_id, client_secret, scopes, allow_emails, allow_domains\)/,
    ],
    ['tunnels:\n  web: { addr: 3000, oidc: { issuer_url: 7 } }\n', /tunnels\.web\.oidc\.issuer_url: must be a string/],
    ['tunnels:\n  web: { addr: 3000, inspect: "no" }\n', /tunnels\.web\.inspect: must be true or false/],
    [
      'tunnels:\n  web: { addr: 3000, schemes: [https] }\n',
      /tunnels\.web\.schemes: .*does not support yet \(use scheme: https or scheme: http\)/,
    ],
    [
      'tunnels:\n  web: { addr: 3000, subdomian: x }\n',
      /tunnels\.web\.subdomian: unknown key; did you mean "subdomain"\? \(known keys: proto, addr, /,
    ],
    ['tunnels:\n  web: { addr: 3000, colour: blue }\n', /tunnels\.web\.colour: unknown key \(known keys: /],
    [
      'web_addr: 4040\n',
      /^The agent configuration is invalid\. \(\/etc\/p\.yml: web_addr: must be host:port \(127\.0\.0\.1:4040\) or false\)$/,
    ],
    ['inspect_db_size: -1\n', /inspect_db_size: must be a number of bytes above 0/],
    ['web_allow_hosts: [a]\n', /web_allow_hosts: an ngrok agent setting that Portico does not support yet/],
    ['log_level: debug\n', /log_level: .*does not support yet \(pass --log-level instead\)/],
    ['authtokn: x\n', /authtokn: unknown key; did you mean "authtoken"\?/],
    ['version: 4\n', /version: 4 is not supported: write version: 2 or version: 3/],
    ['agent:\n  authtoken: x\n', /agent: a key of the version 3 layout: begin the file with version: 3/],
    // The version 3 layout: settings under agent:, endpoints as a list.
    ['version: 3\nauthtoken: x\n', /authtoken: in the version 3 layout this goes under agent:, as authtoken/],
    ['version: 3\nserver_addr: x:1\n', /server_addr: .*under agent:, as connect_url/],
    [
      'version: 3\nagent:\n  server_addr: x:1\n',
      /agent\.server_addr: unknown key \(known keys: authtoken, connect_url/,
    ],
    [
      'version: 3\nagent:\n  log_level: debug\n',
      /agent\.log_level: .*does not support yet \(pass --log-level instead\)/,
    ],
    ['version: 3\nagent:\n  connect_cas: trusted\n', /agent\.connect_cas: trusted names ngrok's own CAs/],
    ['version: 3\nendpoints:\n  web: {}\n', /endpoints: must be a list of endpoints/],
    ['version: 3\nendpoints:\n  - upstream: { url: 80 }\n', /endpoints\[0\]\.name: is required/],
    ['version: 3\nendpoints:\n  - name: a\n', /endpoints\[0\]\.upstream: is required/],
    [
      'version: 3\nendpoints:\n  - name: a\n    upstream: { url: 80, protocol: http2 }\n',
      /endpoints\[0\]\.upstream\.protocol: "http2": the agent speaks HTTP\/1\.1/,
    ],
    [
      'version: 3\nendpoints:\n  - name: a\n    upstream: { url: 80 }\n    traffic_policy: { on_http_request: [] }\n',
      /endpoints\[0\]\.traffic_policy: Traffic Policy is not supported yet/,
    ],
    [
      'version: 3\nendpoints:\n  - name: a\n    upstream: { url: 80 }\n    bindings: [internal]\n',
      /endpoints\[0\]\.bindings: Portico serves public endpoints only/,
    ],
    [
      'version: 3\nendpoints:\n  - name: a\n    url: ftp://x.example.com\n    upstream: { url: 80 }\n',
      /endpoints\[0\]\.url: "ftp:\/\/x\.example\.com": the scheme must be https, http, tcp or tls/,
    ],
    [
      'version: 3\nendpoints:\n  - name: a\n    url: https://x.example.com/path\n    upstream: { url: 80 }\n',
      /a scheme, a host and a port only/,
    ],
    [
      'version: 3\nendpoints:\n  - name: a\n    upstream: { url: 80, colour: blue }\n',
      /endpoints\[0\]\.upstream\.colour: unknown key \(known keys: url, protocol, proxy_protocol\)/,
    ],
    [
      'version: 3\nendpoints:\n  - { name: a, upstream: { url: 80 } }\n  - { name: a, upstream: { url: 81 } }\n',
      /endpoints: two endpoints are named "a"/,
    ],
    [
      'version: 3\nendpoints:\n  - { name: a, upstream: { url: 80 } }\ntunnels:\n  a: { addr: 81 }\n',
      /tunnels\.a: an endpoint has the same name/,
    ],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(
      () => parseAgentConfig(text, '/etc/p.yml'),
      (err: Error & { code?: string }) => err.code === 'ERR_AGENT_CONFIG' && pattern.test(err.message),
      text,
    );
  }
  assert.equal(parseAgentConfig('version: 2\n').tunnels.web, undefined, 'version 2 as a number is accepted too');
});

test('start with no tunnels: says which file was read, or that none exists, and carries a working example', () => {
  const missing = { file: { path: '/home/u/.config/portico/portico.yml', found: false }, tunnels: {} };
  assert.throws(
    () => tunnelSpecs(missing, [], true),
    (err: NoTunnelsError) => {
      assert.ok(err instanceof NoTunnelsError);
      assert.equal(err.code, 'ERR_AGENT_CONFIG');
      assert.match(
        err.message,
        /no config file at \/home\/u\/\.config\/portico\/portico\.yml: `portico start` starts the tunnels defined there/,
      );
      const example = parseAgentConfig(err.example);
      assert.deepEqual(tunnelSpecs(example, [], true), [
        { name: 'web', proto: 'http', forwardsTo: 'http://localhost:3000' },
      ]);
      return true;
    },
  );
  assert.throws(() => tunnelSpecs(missing, ['web'], false), NoTunnelsError);
  const empty = parseAgentConfig('authtoken: x\n', '/tmp/p.yml');
  assert.throws(() => tunnelSpecs(empty, [], true), /\/tmp\/p\.yml defines no tunnels/);
});

test('a missing file reads as an empty config', async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(await readAgentConfig(join(dir, 'absent.yml')), {
    file: { path: join(dir, 'absent.yml'), found: false },
    tunnels: {},
  });
});

test('add-authtoken creates the file and its directories with mode 0600', async (t) => {
  const path = join(await tempDir(t), 'a', 'b', 'portico.yml');
  await saveAuthtoken(path, 'tok-1');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await readAgentConfig(path), { file: { path, found: true }, authtoken: 'tok-1', tunnels: {} });
});

test('add-authtoken replaces the token and keeps comments, tunnels and other keys', async (t) => {
  const path = join(await tempDir(t), 'portico.yml');
  await writeFile(path, sample, { mode: 0o644 });
  await saveAuthtoken(path, 'new-token');
  const text = await readFile(path, 'utf8');
  assert.match(text, /^# my agent/);
  assert.match(text, /authtoken: new-token/);
  assert.doesNotMatch(text, /old-token/);
  const c = await readAgentConfig(path);
  assert.equal(c.authtoken, 'new-token');
  assert.deepEqual(Object.keys(c.tunnels), ['web', 'db', 'secure', 'api']);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
});

test('add-authtoken on an empty file and refusal of a non-mapping file', async (t) => {
  const dir = await tempDir(t);
  const empty = join(dir, 'empty.yml');
  await writeFile(empty, '\n');
  await saveAuthtoken(empty, 'x');
  assert.equal((await readAgentConfig(empty)).authtoken, 'x');
  const list = join(dir, 'list.yml');
  await writeFile(list, '- a\n');
  await assert.rejects(saveAuthtoken(list, 'x'), /top level must be a mapping/);
});

test("module keys are read as ngrok's version 2 agent config names them", () => {
  const config = parseAgentConfig(
    [
      'tunnels:',
      '  web:',
      '    addr: 3000',
      '    basic_auth: ["user:password1"]',
      '    auth: "old:password2"',
      '    ip_restriction: { allow_cidrs: [10.0.0.0/8], deny_cidrs: [10.0.0.1/32] }',
      '    compression: true',
      '    circuit_breaker: 0.5',
      '    request_header: { add: ["x-from: yaml"], remove: [x-internal] }',
      '    response_header: { remove: [server] }',
      '    webhook_verification: { provider: github, secret: s3cret }',
      '    user_agent_filter: { deny: [curl] }',
      '    websocket_tcp_converter: true',
      '    host_header: rewrite',
      '    oauth: { provider: google, client_id: gid, client_secret: gsecret, allow_domains: [example.com] }',
      '    oidc:',
      '      issuer_url: https://idp.example.com',
      '      client_id: oid',
      '      client_secret: osecret',
      '      scopes: [openid, email]',
      '      allow_emails: [alice@example.com]',
    ].join('\n'),
    '/etc/p.yml',
  );
  assert.deepEqual(config.tunnels.web!.modules, {
    basicAuth: ['user:password1', 'old:password2'],
    cidrAllow: ['10.0.0.0/8'],
    cidrDeny: ['10.0.0.1/32'],
    compression: true,
    circuitBreaker: 0.5,
    requestHeaderAdd: ['x-from: yaml'],
    requestHeaderRemove: ['x-internal'],
    responseHeaderAdd: [],
    responseHeaderRemove: ['server'],
    verifyWebhook: 'github',
    verifyWebhookSecret: 's3cret',
    uaFilterAllow: [],
    uaFilterDeny: ['curl'],
    websocketTcpConverter: true,
    hostHeader: 'rewrite',
    oauth: 'google',
    oauthClientId: 'gid',
    oauthClientSecret: 'gsecret',
    oauthScope: [],
    oauthAllowEmail: [],
    oauthAllowDomain: ['example.com'],
    oidc: 'https://idp.example.com',
    oidcClientId: 'oid',
    oidcClientSecret: 'osecret',
    oidcScope: ['openid', 'email'],
    oidcAllowEmail: ['alice@example.com'],
    oidcAllowDomain: [],
  });
});

test('a labeled tunnel takes only labels, metadata, addr and inspect: any other key is refused, naming it and the edge', () => {
  const refused = [
    'basic_auth: ["admin:a-long-password"]',
    'auth: "admin:a-long-password"',
    'ip_restriction: { allow_cidrs: [10.0.0.0/8] }',
    'oauth: { provider: google }',
    'oidc: { issuer_url: https://idp.example.com }',
    'request_header: { add: ["x: y"] }',
    'response_header: { remove: [server] }',
    'webhook_verification: { provider: github, secret: s }',
    'verify_webhook: { provider: github, secret: s }',
    'user_agent_filter: { deny: [curl] }',
    'host_header: rewrite',
    'compression: true',
    'circuit_breaker: 0.5',
    'websocket_tcp_converter: true',
    'proto: http',
    'scheme: http',
    'domain: a.example.com',
    'hostname: a.example.com',
    'subdomain: a',
    'remote_addr: localhost:20001',
    'pooling_enabled: true',
    'crt: c.pem',
  ];
  for (const line of refused) {
    const key = line.slice(0, line.indexOf(':'));
    assert.throws(
      () => parseAgentConfig(`tunnels:\n  api:\n    labels: [app=api]\n    addr: 8081\n    ${line}\n`, '/etc/p.yml'),
      (err: Error & { code?: string }) =>
        err.code === 'ERR_AGENT_CONFIG' &&
        err.message.includes(
          `/etc/p.yml: tunnels.api.${key}: a labeled tunnel takes only labels, metadata, addr, inspect`,
        ) &&
        err.message.includes("modules (basic_auth, ip_restriction, oauth, …) go on that edge's route"),
      line,
    );
  }
  const ok = parseAgentConfig('tunnels:\n  api: { labels: [app=api], addr: 8081, metadata: m, inspect: false }\n');
  assert.deepEqual(ok.tunnels.api, { addr: '8081', labels: ['app=api'], metadata: 'm', inspect: false });
});

test("keys that do not apply to the tunnel's protocol are refused, and so are two names", () => {
  const cases: Array<[string, RegExp]> = [
    ['{ proto: tcp, addr: 22, domain: a.example.com }', /tunnels\.t\.domain: a tcp tunnel has no hostname/],
    ['{ proto: tcp, addr: 22, hostname: a.example.com }', /tunnels\.t\.hostname: a tcp tunnel has no hostname/],
    ['{ proto: tcp, addr: 22, subdomain: a }', /tunnels\.t\.subdomain: a tcp tunnel has no hostname/],
    ['{ proto: tcp, addr: 22, scheme: http }', /tunnels\.t\.scheme: applies to http tunnels only/],
    ['{ proto: tcp, addr: 22, crt: c.pem, key: k.pem }', /tunnels\.t\.crt: applies to http and tls tunnels only/],
    ['{ proto: tcp, addr: 22, basic_auth: ["a:12345678"] }', /tunnels\.t\.basic_auth: applies to http tunnels only/],
    ['{ addr: 80, remote_addr: localhost:20001 }', /tunnels\.t\.remote_addr: applies to tcp tunnels only/],
    ['{ proto: https, addr: 80, remote_addr: x:1 }', /tunnels\.t\.remote_addr: applies to tcp tunnels only/],
    ['{ proto: tls, addr: 443, scheme: http }', /tunnels\.t\.scheme: applies to http tunnels only/],
    ['{ proto: tls, addr: 443, host_header: rewrite }', /tunnels\.t\.host_header: applies to http tunnels only/],
    ['{ proto: https, addr: 80, scheme: http }', /tunnels\.t\.scheme: a proto: https tunnel is served over https only/],
    [
      '{ addr: 80, domain: a.example.com, subdomain: b }',
      /tunnels\.t\.subdomain: give one of domain, hostname, subdomain, not both domain and subdomain/,
    ],
    [
      '{ proto: tls, addr: 443, hostname: a.example.com, domain: a.example.com }',
      /not both domain and hostname|not both hostname and domain/,
    ],
  ];
  for (const [tunnel, pattern] of cases) {
    assert.throws(
      () => parseAgentConfig(`tunnels:\n  t: ${tunnel}\n`),
      (err: Error & { code?: string }) => err.code === 'ERR_AGENT_CONFIG' && pattern.test(err.message),
      tunnel,
    );
  }
  // What applies stays accepted.
  const c = parseAgentConfig(
    [
      'tunnels:',
      '  a: { proto: tcp, addr: 22, remote_addr: localhost:20001, ip_restriction: { allow_cidrs: [10.0.0.0/8] } }',
      '  b: { proto: tls, addr: 443, domain: b.example.com, ip_restriction: { deny_cidrs: [10.0.0.0/8] } }',
      '  c: { proto: https, addr: 80, scheme: https, subdomain: c }',
      '  d: { addr: 80, scheme: http, hostname: d.example.com }',
    ].join('\n'),
  );
  assert.deepEqual(Object.keys(c.tunnels), ['a', 'b', 'c', 'd']);
});

test('webhook_verification: one spelling at a time, and a string secret', () => {
  const cases: Array<[string, RegExp]> = [
    [
      'webhook_verification: { provider: github, secret: a }, verify_webhook: { provider: stripe, secret: b }',
      /tunnels\.w\.verify_webhook: webhook_verification and verify_webhook are one setting: keep one of them/,
    ],
    [
      'webhook_verification: { provider: github, secret: 12345 }',
      /tunnels\.w\.webhook_verification\.secret: must be a string/,
    ],
    ['verify_webhook: { provider: github, secret: [a] }', /tunnels\.w\.verify_webhook\.secret: must be a string/],
    ['verify_webhook: { secret: a }', /tunnels\.w\.verify_webhook\.provider: is required/],
  ];
  for (const [keys, pattern] of cases) {
    assert.throws(
      () => parseAgentConfig(`tunnels:\n  w: { addr: 80, ${keys} }\n`),
      (err: Error & { code?: string }) => err.code === 'ERR_AGENT_CONFIG' && pattern.test(err.message),
      keys,
    );
  }
  const c = parseAgentConfig('tunnels:\n  w: { addr: 80, verify_webhook: { provider: slack, secret: s } }\n');
  assert.equal(c.tunnels.w!.modules?.verifyWebhook, 'slack');
  assert.equal(c.tunnels.w!.modules?.verifyWebhookSecret, 's');
});

test('a config-file addr URL with a path or credentials is refused, naming the tunnel', () => {
  const c = parseAgentConfig('tunnels:\n  web: { addr: "http://u:p@localhost:3000/api" }\n');
  assert.throws(
    () => tunnelSpecs(c, ['web'], false),
    (err: Error & { code?: string }) =>
      err.code === 'ERR_AGENT_CONFIG' &&
      /tunnels\.web\.addr: http:\/\/…@localhost:3000: a user name or password/.test(err.message),
  );
});

test('the version 3 layout: agent settings under agent:, endpoints with a URL, name and description', () => {
  const config = parseAgentConfig(
    [
      'version: 3',
      'agent:',
      '  authtoken: tok',
      '  connect_url: tls://edge.example.com:4443',
      '  connect_cas: ca.pem',
      '  web_addr: 127.0.0.1:4041',
      'endpoints:',
      '  - name: web',
      '    url: https://app.example.com',
      '    description: the web app',
      '    metadata: m',
      '    upstream: { url: 3000, protocol: http1 }',
      '    pooling_enabled: true',
      '    bindings: [public]',
      '  - name: db',
      '    url: tcp://edge.example.com:20001',
      '    upstream: { url: 5432 }',
      '  - name: random',
      '    upstream: { url: 8080 }',
      '  - name: bare',
      '    url: api.example.com',
      '    upstream: { url: 8081 }',
      'tunnels:',
      '  admin: { addr: 9000, basic_auth: ["admin:long-password"] }',
      '',
    ].join('\n'),
    '/etc/p.yml',
  );
  assert.equal(config.authtoken, 'tok');
  assert.equal(config.server_addr, 'edge.example.com:4443', 'connect_url, without a tls:// scheme');
  assert.equal(config.ca_cert, 'ca.pem');
  assert.equal(config.web_addr, '127.0.0.1:4041');
  assert.deepEqual(Object.keys(config.tunnels), ['web', 'db', 'random', 'bare', 'admin']);
  const [web, db, random, bare] = tunnelSpecs(config, ['web', 'db', 'random', 'bare'], false);
  assert.deepEqual(web, {
    name: 'web',
    proto: 'http',
    scheme: 'https',
    forwardsTo: 'http://localhost:3000',
    url: 'https://app.example.com',
    metadata: 'm',
    description: 'the web app',
    poolingEnabled: true,
  });
  assert.deepEqual([db!.proto, db!.url, db!.forwardsTo], ['tcp', 'tcp://edge.example.com:20001', 'localhost:5432']);
  assert.deepEqual([random!.proto, random!.scheme, random!.url], ['http', 'https', undefined]);
  assert.equal(bare!.url, 'https://api.example.com', 'a bare host is https');
  assert.equal(
    parseAgentConfig('version: 3\nagent:\n  connect_cas: host\n').ca_cert,
    undefined,
    'host: the system roots',
  );
});
