import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { apiFetch } from '../support/api.ts';
import { request } from '../support/client.ts';
import { jsonLine, porticoBin, spawnPortico } from '../support/cli.ts';
import { startTestEdge, tempDir } from '../support/edge.ts';
import { api, startInspectedAgent } from '../support/inspector-agent.ts';
import { freePort, startHttpService } from '../support/services.ts';

/** `portico <args>` against an address nothing listens on: for what is refused before connecting. */
function refusedRun(args: string[]) {
  return spawnSync(process.execPath, [porticoBin, ...args, '--server-addr', '127.0.0.1:1'], { encoding: 'utf8' });
}

test('`portico start --all` with no config file names the file it looked for and prints an example that then works', async (t) => {
  const edge = await startTestEdge(t);
  const config = join(edge.dataDir, 'agent', 'portico.yml');
  const env = { ...process.env, PORTICO_DATA_DIR: edge.dataDir, PORTICO_CONFIG: config };
  const failed = spawnSync(process.execPath, [porticoBin, 'start', '--all'], { env, encoding: 'utf8' });
  assert.equal(failed.status, 1);
  assert.ok(failed.stderr.includes(`no config file at ${config}`), failed.stderr);
  assert.match(
    failed.stderr,
    /\(ERR_AGENT_CONFIG\)\nA minimal config file that works with `portico start --all`:\n\ntunnels:\n/,
  );
  const example = failed.stderr.slice(failed.stderr.indexOf('tunnels:'));

  await writeFile(join(edge.dataDir, 'example.yml'), example);
  const agent = spawnPortico(
    t,
    ['start', '--all', '--config', join(edge.dataDir, 'example.yml'), '--log', 'stdout', '--log-format', 'json'],
    { PORTICO_DATA_DIR: edge.dataDir },
  );
  const started = await jsonLine(agent, (l) => l.msg === 'started tunnel');
  assert.equal(started.name, 'web');
  assert.equal(started.addr, 'http://localhost:3000');
});

test('an ngrok version 3 config file: its endpoints start at their URL, with the name and description the API shows', async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (_req, res) => res.end('from a v3 endpoint'));
  const url = `https://v3-site.localhost:${edge.ports.https}`;
  const file = join(edge.dataDir, 'v3.yml');
  await writeFile(
    file,
    [
      'version: 3',
      'agent:',
      '  web_addr: false',
      'endpoints:',
      '  - name: site',
      `    url: ${url}`,
      '    description: the site, from an ngrok v3 file',
      '    metadata: v3',
      `    upstream: { url: ${web.port}, protocol: http1 }`,
      '',
    ].join('\n'),
  );
  const agent = spawnPortico(t, ['start', '--all', '--config', file, '--log', 'stdout', '--log-format', 'json'], {
    PORTICO_DATA_DIR: edge.dataDir,
  });
  const started = await jsonLine(agent, (l) => l.msg === 'started tunnel');
  assert.deepEqual([started.name, started.url], ['site', url]);
  assert.equal((await request(url, { ca: edge.caPem })).body.toString(), 'from a v3 endpoint');
  const [endpoint] = (await apiFetch(edge, 'GET', '/endpoints')).body.endpoints as Array<Record<string, unknown>>;
  assert.deepEqual(
    [endpoint!.public_url, endpoint!.name, endpoint!.description, endpoint!.metadata],
    [url, 'site', 'the site, from an ngrok v3 file', 'v3'],
  );
});

test('a config file with a key Portico does not support is refused before connecting, naming the key and the file', async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'portico.yml');
  await writeFile(
    config,
    'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 3000\n    traffic_policy: { on_http_request: [] }\n',
  );
  const r = refusedRun(['start', 'web', '--config', config]);
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    `ERROR: The agent configuration is invalid. (${config}: tunnels.web.traffic_policy: an ngrok agent setting that Portico does not support yet; remove it) (ERR_AGENT_CONFIG)\n`,
  );
  // `portico http` reads the same file for its settings, and refuses it too.
  const http = refusedRun(['http', '3000', '--config', config]);
  assert.equal(http.status, 1);
  assert.match(http.stderr, /tunnels\.web\.traffic_policy/);
});

test('a labeled tunnel with modules is refused, in the config file and by the agent API, rather than served without them', async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'portico.yml');
  await writeFile(
    config,
    [
      'tunnels:',
      '  api:',
      '    labels: [app=api]',
      '    addr: 8081',
      '    basic_auth: ["admin:a-long-password"]',
      '    ip_restriction: { allow_cidrs: [10.0.0.0/8] }',
      '',
    ].join('\n'),
  );
  const r = refusedRun(['start', 'api', '--config', config]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /^ERROR: The agent configuration is invalid\. \(.*portico\.yml: tunnels\.api\.basic_auth: a labeled tunnel takes only labels, metadata, addr, inspect: .*modules \(basic_auth, ip_restriction, oauth, …\) go on that edge's route.*\(ERR_AGENT_CONFIG\)$/m,
  );

  // The agent API's POST /api/tunnels takes the same keys, and refuses the same.
  const edge = await startTestEdge(t);
  const service = await startHttpService(t, (_req, res) => res.end('served'));
  const agent = await startInspectedAgent(t, edge, ['http', String(service.port)], `127.0.0.1:${await freePort()}`);
  for (const extra of [
    { basic_auth: ['admin:a-long-password'] },
    { ip_restriction: { allow_cidrs: ['10.0.0.0/8'] } },
    { oidc: { issuer_url: 'https://idp.example.com' } },
    { subdomain: 'api' },
  ]) {
    const key = Object.keys(extra)[0]!;
    const refused = await api(agent.web, '/api/tunnels', {
      method: 'POST',
      body: { name: 'labeled', labels: ['app=api'], addr: String(service.port), ...extra },
    });
    assert.equal(refused.status, 400, key);
    assert.equal(refused.json.error_code, 'ERR_AGENT_CONFIG', key);
    assert.match(String(refused.json.msg), new RegExp(`labeled\\.${key}: a labeled tunnel takes only labels`), key);
  }
  const names = (await api<{ tunnels: Array<{ name: string }> }>(agent.web, '/api/tunnels')).json.tunnels;
  assert.deepEqual(
    names.map((x) => x.name),
    ['command_line'],
    'nothing was started',
  );
});

test('agent flags and addr URLs that would be dropped are refused before connecting', () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ['http', 'http://user:pw@localhost:40047/api?x=1'],
      /addr: http:\/\/…@localhost:40047: a user name or password in the URL is not supported/,
    ],
    [
      ['http', 'http://localhost:40047/api?x=1'],
      /addr: http:\/\/localhost:40047\/api\?x=1: the upstream URL may not have a path/,
    ],
    [['tcp', 'http://localhost:22'], /the upstream URL of a tcp tunnel must be tcp:\/\//],
    [['http', '3000', '--verify-webhook-secret', 's3cret'], /--verify-webhook-secret\) needs verifyWebhook/],
    [
      ['http', '3000', '--domain', 'a.example.com', '--subdomain', 'b'],
      /--domain and --subdomain both name the hostname/,
    ],
    [['http', '3000', '--host-header', ''], /--host-header\): give "rewrite", "preserve" or a host/],
    [['tunnel', '8081', '--label', 'app=a', '--label', 'app=b'], /--label\[1\]: the label app is given twice/],
  ];
  for (const [args, pattern] of cases) {
    const r = refusedRun([...args, '--config', '/nonexistent/p.yml']);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, /^ERROR: The agent configuration is invalid\. /, args.join(' '));
    assert.match(r.stderr, pattern, args.join(' '));
    assert.match(r.stderr, /\(ERR_AGENT_CONFIG\)\n$/, args.join(' '));
    assert.doesNotMatch(r.stderr, /pw|unreachable/i, 'refused before connecting, without the password');
  }
});
