import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { agentVersion } from '../../src/agent/version.ts';
import { jsonLine, porticoBin, spawnPortico } from '../support/cli.ts';
import { request } from '../support/client.ts';
import { tempDir } from '../support/edge.ts';
import { eventually, startHttpService } from '../support/services.ts';

// The CLI runs built (bin/portico.cjs, dist/): this also checks that what the built edge and
// agent load on first use loads there (pino for JSON logs, YAML with a config file, RE2 with a
// user_agent_filter, the metrics library with the first scrape).
test('quick start: `portico edge` then `portico http <port>` with no flags, and `portico start` from a config file', async (t) => {
  const dataDir = await tempDir(t);
  const env = { PORTICO_DATA_DIR: dataDir, XDG_CONFIG_HOME: join(dataDir, 'config') };
  const zero = [
    '--agent-addr',
    '127.0.0.1:0',
    '--https-addr',
    '127.0.0.1:0',
    '--http-addr',
    '127.0.0.1:0',
    '--api-addr',
    '127.0.0.1:0',
    '--tcp-ports',
    '0',
  ];
  const edgeProcess = spawnPortico(t, ['edge', ...zero], env);
  // Nobody reads the edge's output (as with `portico edge | head` once head is gone): writing its
  // banner and log lines to closed pipes must not end it.
  edgeProcess.stdout!.destroy();
  edgeProcess.stderr!.destroy();
  const bootstrap = await eventually(
    async () => JSON.parse(await readFile(join(dataDir, 'bootstrap.json'), 'utf8')) as Record<string, string>,
    20_000,
    'bootstrap.json',
  );
  for (const key of ['api_url', 'api_key', 'authtoken', 'agent_addr', 'https_addr', 'http_addr', 'domain', 'ca_cert'])
    assert.ok(bootstrap[key], key);
  const ca = await readFile(bootstrap.ca_cert!, 'utf8');
  // Run as a program, bin/portico.cjs's launcher line replaced the shell with Node and its V8 flags.
  const argv = (await readFile(`/proc/${edgeProcess.pid}/cmdline`, 'utf8')).split('\0');
  assert.equal(argv[1], '--max-semi-space-size=4', argv.join(' '));
  // And V8's collector, with which it frees tunnel traffic's buffers (src/protocol/transfer-buffers.ts).
  assert.equal(argv[2], '--expose-gc', argv.join(' '));

  const web = await startHttpService(t, (req, res) => res.end(`cli ${req.url}`));
  const agent = spawnPortico(t, ['http', String(web.port), '--log', 'stdout', '--log-format', 'json'], env);
  const started = await jsonLine(agent, (l) => l.msg === 'started tunnel');
  // The agent's young generation is the smaller one (bin/portico.cjs).
  const agentArgv = (await readFile(`/proc/${agent.pid}/cmdline`, 'utf8')).split('\0');
  assert.equal(agentArgv[1], '--max-semi-space-size=1', agentArgv.join(' '));
  assert.equal(agentArgv[2], '--expose-gc', agentArgv.join(' '));
  assert.equal(started.lvl, 'info');
  assert.match(String(started.url), /^https:\/\/[a-z2-7]+\.localhost:\d+$/);
  assert.match(String(started.addr), new RegExp(`${web.port}`));
  const res = await request(`${started.url}/quick`, { ca });
  assert.equal(res.body.toString(), 'cli /quick');

  const configPath = join(dataDir, 'portico.yml');
  await writeFile(
    configPath,
    `tunnels:\n  site:\n    proto: http\n    addr: ${web.port}\n    subdomain: from-config\n    user_agent_filter: { deny: ["(?i)bad-bot"] }\n  other:\n    proto: http\n    addr: ${web.port}\n`,
  );
  const starter = spawnPortico(
    t,
    ['start', 'site', '--config', configPath, '--log', 'stdout', '--log-format', 'json'],
    env,
  );
  const fromConfig = await jsonLine(starter, (l) => l.msg === 'started tunnel');
  assert.equal(fromConfig.name, 'site');
  assert.equal(new URL(String(fromConfig.url)).hostname, 'from-config.localhost');
  // A request without a User-Agent is refused by any user_agent_filter, as ngrok does.
  const browser = { 'user-agent': 'Mozilla/5.0' };
  assert.equal((await request(`${fromConfig.url}/cfg`, { ca, headers: browser })).body.toString(), 'cli /cfg');
  const bot = await request(`${fromConfig.url}/cfg`, { ca, headers: { 'user-agent': 'Bad-Bot/1.0' } });
  assert.equal(bot.status, 403);

  const metrics = (await request(`${bootstrap.api_url}/metrics`)).body.toString();
  assert.match(metrics, /^portico_info\{version="[^"]+"\} 1$/m);
  assert.match(metrics, /^portico_http_requests_total\{edge="",route="",status="2xx"\} [1-9]\d*$/m);
  assert.match(metrics, /^portico_module_decisions_total\{module="user_agent_filter",decision="denied"\} 1$/m);
  assert.equal(edgeProcess.exitCode, null, 'the edge still runs');
});

test('`portico --help`, `-h` and `help` print the help the CLI itself prints (the build writes it to dist/help.txt)', async (t) => {
  const cli = new URL('../../dist/main.js', import.meta.url).pathname;
  const fromCli = execFileSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.match(fromCli, /^Usage: portico \[options\] \[command\]/);
  for (const command of ['edge', 'account', 'http', 'tcp', 'tls', 'tunnel', 'start', 'config', 'trust'])
    assert.match(fromCli, new RegExp(`^  ${command} `, 'm'));
  // As a program the launcher's shell line prints the file, also through a link as npm makes
  // one; run by Node, the launcher does.
  const linked = join(await tempDir(t), 'portico');
  symlinkSync(porticoBin, linked);
  for (const flag of ['--help', '-h', 'help']) {
    assert.equal(execFileSync(process.execPath, [porticoBin, flag], { encoding: 'utf8' }), fromCli, `node, ${flag}`);
    assert.equal(execFileSync(porticoBin, [flag], { encoding: 'utf8' }), fromCli, flag);
    assert.equal(execFileSync(linked, [flag], { encoding: 'utf8' }), fromCli, `linked, ${flag}`);
  }
  // Anything more goes to the CLI.
  assert.match(execFileSync(porticoBin, ['help', 'http'], { encoding: 'utf8' }), /^Usage: portico http /);
  assert.equal(execFileSync(linked, ['--version'], { encoding: 'utf8' }).trim(), agentVersion);
});

test('`portico edge` refuses flags it would ignore or apply differently, before it creates anything', async (t) => {
  const dir = await tempDir(t);
  const notPem = join(dir, 'not.pem');
  await writeFile(notPem, 'hello\n');
  const brokenPem = join(dir, 'broken.pem');
  await writeFile(brokenPem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const zero = ['--agent-addr', '127.0.0.1:0', '--https-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0'];
  const cases: Array<{ args: string[]; env?: Record<string, string>; stderr: RegExp }> = [
    {
      args: ['--metrics-key', ''],
      stderr:
        /^ERROR: .*\(--metrics-key is empty: an empty key would leave \/metrics open; .*\) \[ERR_CONFIG_INVALID\]$/m,
    },
    {
      args: [],
      env: { PORTICO_METRICS_KEY: '' },
      stderr:
        /PORTICO_METRICS_KEY is set but empty: an empty key would leave \/metrics open.* \[ERR_CONFIG_INVALID\]$/m,
    },
    {
      args: ['--log-format', 'xml'],
      stderr: /option '--log-format <format>' argument 'xml' is invalid\. Allowed choices are json, text/,
    },
    {
      args: ['--static-backend-ca-cert', notPem],
      stderr: new RegExp(
        `--static-backend-ca-cert: ${notPem} holds no PEM certificate.* \\[ERR_CONFIG_INVALID\\]$`,
        'm',
      ),
    },
    {
      args: ['--acme-ca-cert', brokenPem],
      stderr: new RegExp(
        `--acme-ca-cert: ${brokenPem} has a certificate that does not parse.* \\[ERR_CONFIG_INVALID\\]$`,
        'm',
      ),
    },
    {
      args: ['--acme-directory-url', 'not-a-url'],
      stderr: /--acme-directory-url: "not-a-url" is not an http\(s\) URL.* \[ERR_CONFIG_INVALID\]$/m,
    },
    {
      args: ['--domain', 'bad_domain!'],
      stderr: /--domain: "bad_domain!" is not a valid domain name.* \[ERR_CONFIG_INVALID\]$/m,
    },
    {
      args: ['--oauth-provider', 'google.tokenUrl=https://x.example'],
      stderr: /names a field google does not read; google reads issuer\) \[ERR_CONFIG_INVALID\]$/m,
    },
  ];
  for (const [i, c] of cases.entries()) {
    const dataDir = join(dir, `data-${i}`);
    const r = spawnSync(
      process.execPath,
      [porticoBin, 'edge', '--data-dir', dataDir, ...zero, '--api-addr', '127.0.0.1:0', ...c.args],
      {
        encoding: 'utf8',
        env: { ...process.env, PORTICO_METRICS_KEY: undefined, ...c.env },
        timeout: 20_000,
      },
    );
    assert.equal(r.status, 1, `${c.args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, c.stderr, c.args.join(' '));
    assert.equal(existsSync(dataDir), false, `${c.args.join(' ')}: nothing was created`);
  }
});
