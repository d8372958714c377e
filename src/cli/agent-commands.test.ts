import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import type { AgentConfigFile } from '../agent/config-file.ts';
import { agentCommands } from './agent-commands.ts';
import type { AgentPlan } from './agent-commands.ts';
import { settingsOptions } from './agent-flags.ts';
import { endpointOpts } from '../agent/tunnel-messages.ts';

/** Parses `argv` (after `portico`) with a runner that only records the plan. */
async function parse(...argv: string[]): Promise<AgentPlan> {
  let plan: AgentPlan | undefined;
  const program = new Command('portico').exitOverride();
  const quiet = { writeErr: () => {}, writeOut: () => {} };
  for (const c of agentCommands(async (p) => void (plan = p)))
    program.addCommand(c.exitOverride().configureOutput(quiet));
  await program.parseAsync(argv, { from: 'user' });
  assert.ok(plan, 'the runner was called');
  return plan;
}

const noConfig: AgentConfigFile = { tunnels: {} };

test('http accepts a port, host:port or URL', async () => {
  assert.equal((await parse('http', '3000')).specs(noConfig)[0]!.forwardsTo, 'http://localhost:3000');
  assert.equal((await parse('http', '10.1.2.3:8080')).specs(noConfig)[0]!.forwardsTo, 'http://10.1.2.3:8080');
  assert.equal(
    (await parse('http', 'https://localhost:8443')).specs(noConfig)[0]!.forwardsTo,
    'https://localhost:8443',
  );
  await assert.rejects(async () => (await parse('http', 'nope:port')).specs(noConfig), { code: 'ERR_AGENT_CONFIG' });
});

test('http flags become the listen spec and the settings', async () => {
  const plan = await parse(
    'http',
    '3000',
    '--domain',
    'app.example.com',
    '--pooling-enabled',
    '--metadata',
    'meta',
    '--scheme',
    'http',
    '--authtoken',
    'tok',
    '--server-addr',
    'edge:4443',
    '--ca-cert',
    '/tmp/ca.pem',
    '--region',
    'eu',
    '--config',
    '/tmp/p.yml',
  );
  assert.deepEqual(plan.specs(noConfig), [
    {
      name: 'command_line',
      proto: 'http',
      forwardsTo: 'http://localhost:3000',
      domain: 'app.example.com',
      scheme: 'http',
      metadata: 'meta',
      poolingEnabled: true,
    },
  ]);
  assert.deepEqual(settingsOptions(plan.flags), {
    configPath: '/tmp/p.yml',
    authtoken: 'tok',
    serverAddr: 'edge:4443',
    caCertPath: '/tmp/ca.pem',
    region: 'eu',
  });
  assert.equal(plan.sessionMetadata, undefined);
});

test('log flags have defaults and fixed choices; --log is left unset for chooseOutput()', async () => {
  const plan = await parse('http', '80');
  assert.equal(plan.flags.log, undefined);
  assert.equal(plan.flags.logFormat, 'text');
  assert.equal(plan.flags.logLevel, 'info');
  const json = await parse('http', '80', '--log', 'stdout', '--log-format', 'json', '--log-level', 'debug');
  assert.deepEqual([json.flags.log, json.flags.logFormat, json.flags.logLevel], ['stdout', 'json', 'debug']);
  await assert.rejects(parse('http', '80', '--log-format', 'xml'), { code: 'commander.invalidArgument' });
  await assert.rejects(parse('http', '80', '--log', 'file'), { code: 'commander.invalidArgument' });
});

test('tcp and tls take host:port, tcp takes --remote-addr', async () => {
  const tcp = (await parse('tcp', '22', '--remote-addr', 'localhost:20001')).specs(noConfig)[0];
  assert.deepEqual(tcp, {
    name: 'command_line',
    proto: 'tcp',
    forwardsTo: 'localhost:22',
    remoteAddr: 'localhost:20001',
  });
  const tls = (await parse('tls', '127.0.0.1:8443', '--hostname', 'secure.localhost')).specs(noConfig)[0];
  assert.deepEqual(tls, {
    name: 'command_line',
    proto: 'tls',
    forwardsTo: '127.0.0.1:8443',
    hostname: 'secure.localhost',
  });
  await assert.rejects(parse('tcp', '22', '--subdomain', 'x'), { code: 'commander.unknownOption' });
});

test('tunnel takes repeated --label flags', async () => {
  const plan = await parse('tunnel', '--label', 'edge=edghts_1', '--label', 'team=core', '8081', '--metadata', 'm');
  assert.deepEqual(plan.specs(noConfig), [
    {
      name: 'command_line',
      forwardsTo: 'http://localhost:8081',
      labels: { edge: 'edghts_1', team: 'core' },
      metadata: 'm',
    },
  ]);
  await assert.rejects(parse('tunnel', '8081'), { code: 'commander.missingMandatoryOptionValue' });
  const bad = await parse('tunnel', '--label', 'oops', '8081');
  assert.throws(() => bad.specs(noConfig), /--label\[0\]/);
});

test('start picks named tunnels or --all from the config file; --metadata is the session metadata', async () => {
  const config: AgentConfigFile = {
    tunnels: { web: { proto: 'http', addr: '3000' }, db: { proto: 'tcp', addr: '5432' } },
  };
  const named = await parse('start', 'db', '--metadata', 'laptop');
  assert.deepEqual(
    named.specs(config).map((s) => s.name),
    ['db'],
  );
  assert.equal(named.sessionMetadata, 'laptop');
  assert.deepEqual(
    (await parse('start', '--all')).specs(config).map((s) => s.forwardsTo),
    ['http://localhost:3000', 'localhost:5432'],
  );
  assert.throws(() => named.specs(noConfig), /the config file defines no tunnels/);
  assert.throws(
    () => named.specs({ tunnels: { web: config.tunnels.web! } }),
    /no tunnel named "db" in the config file \(tunnels: web\)/,
  );
});

test("module flags, named as ngrok's agent names them, become the spec's modules and the bind Opts the SDK sends", async () => {
  const plan = await parse(
    'http',
    '3000',
    '--basic-auth',
    'user:password1',
    '--basic-auth',
    'other:password2',
    '--cidr-allow',
    '10.0.0.0/8,192.168.0.0/16',
    '--cidr-deny',
    '10.0.0.1/32',
    '--request-header-add',
    'x-from: cli',
    '--response-header-remove',
    'server',
    '--circuit-breaker',
    '0.25',
    '--host-header',
    'rewrite',
  );
  const spec = plan.specs(noConfig)[0]!;
  assert.deepEqual(spec.modules, {
    basicAuth: ['user:password1', 'other:password2'],
    cidrAllow: ['10.0.0.0/8', '192.168.0.0/16'],
    cidrDeny: ['10.0.0.1/32'],
    requestHeaderAdd: ['x-from: cli'],
    responseHeaderRemove: ['server'],
    circuitBreaker: 0.25,
    hostHeader: 'rewrite',
  });
  assert.deepEqual(endpointOpts(spec), {
    Domain: '',
    Hostname: '',
    Subdomain: '',
    Auth: '',
    HostHeaderRewrite: true,
    ProxyProto: 0,
    IPRestriction: { allow_cidrs: ['10.0.0.0/8', '192.168.0.0/16'], deny_cidrs: ['10.0.0.1/32'] },
    BasicAuth: {
      credentials: [
        { username: 'user', cleartext_password: 'password1' },
        { username: 'other', cleartext_password: 'password2' },
      ],
    },
    CircuitBreaker: { error_threshold: 0.25 },
    RequestHeaders: { add: ['x-from: cli'], remove: [] },
    ResponseHeaders: { add: [], remove: ['server'] },
  });
  const tcp = (await parse('tcp', '22', '--cidr-deny', '127.0.0.2')).specs(noConfig)[0]!;
  assert.deepEqual(endpointOpts(tcp), {
    Addr: '',
    ProxyProto: 0,
    IPRestriction: { allow_cidrs: [], deny_cidrs: ['127.0.0.2'] },
  });
  await assert.rejects(parse('http', '3000', '--circuit-breaker', '2'));
  // ngrok's `preserve` keeps the client's Host, as no --host-header does; any other value is the Host.
  const preserve = (await parse('http', '3000', '--host-header', 'preserve')).specs(noConfig)[0]!;
  assert.deepEqual(endpointOpts(preserve), {
    Domain: '',
    Hostname: '',
    Subdomain: '',
    Auth: '',
    HostHeaderRewrite: false,
    ProxyProto: 0,
  });
  const set = (await parse('http', '3000', '--host-header', 'app.internal')).specs(noConfig)[0]!;
  assert.deepEqual(endpointOpts(set).RequestHeaders, { add: ['host:app.internal'], remove: [] });
});

test("identity flags, named as ngrok's agent names them, become the OAuth and OIDC bind Opts the SDK sends", async () => {
  const plan = await parse(
    'http',
    '3000',
    '--oauth',
    'google',
    '--oauth-client-id',
    'gid',
    '--oauth-client-secret',
    'gsecret',
    '--oauth-scope',
    'email',
    '--oauth-scope',
    'profile',
    '--oauth-allow-domain',
    'example.com,example.org',
    '--oidc',
    'https://idp.example.com',
    '--oidc-client-id',
    'oid',
    '--oidc-client-secret',
    'osecret',
    '--oidc-allow-email',
    'alice@example.com',
  );
  const spec = plan.specs(noConfig)[0]!;
  assert.deepEqual(spec.modules, {
    oauth: 'google',
    oauthClientId: 'gid',
    oauthClientSecret: 'gsecret',
    oauthScope: ['email', 'profile'],
    oauthAllowDomain: ['example.com', 'example.org'],
    oidc: 'https://idp.example.com',
    oidcClientId: 'oid',
    oidcClientSecret: 'osecret',
    oidcAllowEmail: ['alice@example.com'],
  });
  const opts = endpointOpts(spec);
  assert.deepEqual(opts.OAuth, {
    provider: 'google',
    client_id: 'gid',
    client_secret: 'gsecret',
    scopes: ['email', 'profile'],
    allow_emails: [],
    allow_domains: ['example.com', 'example.org'],
  });
  assert.deepEqual(opts.OIDC, {
    issuer_url: 'https://idp.example.com',
    client_id: 'oid',
    client_secret: 'osecret',
    scopes: [],
    allow_emails: ['alice@example.com'],
    allow_domains: [],
  });

  // A client id or allow list without the provider or issuer would leave the endpoint open: refused.
  // Refused when the flags are read, before anything connects.
  const stray = await parse('http', '3000', '--oidc-allow-email', 'a@b.c');
  assert.throws(() => stray.specs(noConfig), { code: 'ERR_AGENT_CONFIG', message: /oidcAllowEmail needs oidc/ });
  await assert.rejects(parse('tcp', '22', '--oauth', 'google'), /unknown option '--oauth'/);
});

test('flags that would be dropped are refused when the flags are read, before anything connects', async () => {
  const refused: Array<[string[], RegExp]> = [
    [
      ['http', '3000', '--verify-webhook-secret', 's3cret'],
      /verifyWebhookSecret \(--verify-webhook-secret\) needs verifyWebhook \(--verify-webhook <provider>\)/,
    ],
    [
      ['http', '3000', '--host-header', ''],
      /hostHeader \(--host-header\): give "rewrite", "preserve" or a host, not an empty value/,
    ],
    [
      ['http', '3000', '--domain', 'a.example.com', '--subdomain', 'b'],
      /--domain and --subdomain both name the hostname: give one of/,
    ],
    [
      ['http', '3000', '--hostname', 'a.example.com', '--domain', 'a.example.com'],
      /--domain and --hostname both name the hostname/,
    ],
    [
      ['tls', '443', '--subdomain', 'a', '--hostname', 'b.example.com'],
      /--hostname and --subdomain both name the hostname/,
    ],
    [['http', '3000', '--subdomain', ''], /--subdomain: give a name, not an empty value/],
    [
      ['http', 'http://user:pw@localhost:40047/api?x=1'],
      /addr: http:\/\/…@localhost:40047: a user name or password in the URL is not supported/,
    ],
    [
      ['http', 'http://localhost:40047/api'],
      /addr: http:\/\/localhost:40047\/api: the upstream URL may not have a path/,
    ],
    [['tcp', 'http://localhost:22'], /the upstream URL of a tcp tunnel must be tcp:\/\//],
    [['tunnel', '8081', '--label', 'app=a', '--label', 'app=b'], /--label\[1\]: the label app is given twice/],
  ];
  for (const [argv, pattern] of refused) {
    const plan = await parse(...argv);
    assert.throws(
      () => plan.specs(noConfig),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'ERR_AGENT_CONFIG', argv.join(' '));
        assert.match(err.message, pattern);
        assert.doesNotMatch(err.message, /pw/);
        return true;
      },
      argv.join(' '),
    );
  }
  // Flags of another protocol are not even options there.
  await assert.rejects(parse('tcp', '22', '--domain', 'a.example.com'), /unknown option '--domain'/);
  await assert.rejects(parse('tls', '443', '--scheme', 'http'), /unknown option '--scheme'/);
  await assert.rejects(parse('http', '80', '--remote-addr', 'x:1'), /unknown option '--remote-addr'/);
  const ok = (await parse('http', '3000', '--verify-webhook', 'github', '--verify-webhook-secret', 's')).specs(
    noConfig,
  );
  assert.deepEqual(ok[0]!.modules, { verifyWebhook: 'github', verifyWebhookSecret: 's' });
});
