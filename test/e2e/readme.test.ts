// Runs README.md's examples as a new user would, as written, in a fresh HOME: `npm link` (npm ci
// is what CI itself ran), `portico edge` on its default ports, the agent commands, `portico
// trust`, the zero-knowledge certificate, the SDK snippet, the control-plane script and the
// account commands. Not run: the sudo line (the same command as root), `npm test` (this suite)
// and `npm run bench`.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import tls from 'node:tls';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { request } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { tempDir } from '../support/edge.ts';
import { eventually, startEchoService, startHttpService } from '../support/services.ts';

const repo = new URL('../../', import.meta.url).pathname;
const exec = promisify(execFile);

/** The README's fenced code blocks, in order. */
async function readmeBlocks(): Promise<Array<{ lang: string; code: string }>> {
  const text = await readFile(join(repo, 'README.md'), 'utf8');
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

/** The one line of a shell block that starts with `start`, comment stripped. */
function line(blocks: Array<{ code: string }>, start: string): string {
  const found = blocks.flatMap((b) => b.code.split('\n')).find((l) => l.startsWith(start));
  assert.ok(found, `README has a line starting with "${start}"`);
  return found.replace(/\s+#.*$/, '');
}

interface Shell {
  env: NodeJS.ProcessEnv;
  /**
   * Runs `command` with bash to the end; resolves with its standard output, fails on a non-zero exit.
   * Never synchronously: the services the commands reach run in this process.
   */
  run(command: string, cwd?: string): Promise<string>;
  /** Starts `command` in the background (killed after the test); resolves once its output matches `ready`. */
  start(command: string, ready: RegExp, cwd?: string): Promise<{ child: ChildProcess; match: RegExpMatchArray }>;
}

async function shell(t: TestContext): Promise<Shell> {
  const home = await tempDir(t, 'portico-readme-');
  const prefix = join(home, '.npm-global');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
    npm_config_prefix: prefix,
    PORTICO_TRUST_ROOT: join(home, 'system-root'),
  };
  for (const key of [
    'PORTICO_DATA_DIR',
    'PORTICO_CONFIG',
    'PORTICO_AUTHTOKEN',
    'PORTICO_SERVER_ADDR',
    'XDG_CONFIG_HOME',
    'DATABASE_URL',
  ])
    delete env[key];
  return {
    env,
    async run(command, cwd = home) {
      try {
        return (await exec('bash', ['-c', command], { cwd, env, encoding: 'utf8', timeout: 60_000 })).stdout;
      } catch (err) {
        const e = err as Error & { stdout?: string; stderr?: string };
        assert.fail(`${command}\n${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
      }
    },
    start(command, ready, cwd = home) {
      const child = spawn('bash', ['-c', `exec ${command}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      defer(t, () => stop(child));
      let output = '';
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${command}: no ${ready} in 30 s:\n${output}`)), 30_000);
        const look = (chunk: Buffer) => {
          output += chunk.toString();
          const match = output.match(ready);
          if (match) {
            clearTimeout(timer);
            resolve({ child, match });
          }
        };
        child.stdout!.on('data', look);
        child.stderr!.on('data', look);
        child.once('exit', (code) => reject(new Error(`${command} exited ${code}:\n${output}`)));
      });
    },
  };
}

/** Stops a background command (SIGTERM, as Ctrl+C would) and waits for it. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net
      .createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

test("the README's examples run as written", async (t) => {
  for (const port of [4443, 8443, 8080, 8000, 3000, 5432, 9443]) {
    if (!(await portFree(port)))
      return t.skip(`port ${port}, which the README's examples use, is taken on this machine`);
  }
  const blocks = await readmeBlocks();
  const sh = await shell(t);
  const home = sh.env.HOME!;
  const ca = () => readFile(join(home, '.portico/ca/ca.pem'), 'utf8');

  // Quick start: `npm ci && npm link && portico edge` (CI ran npm ci already).
  const quick = line(blocks, 'npm ci && npm link && portico edge');
  await sh.run(quick.replace('npm ci && ', '').replace(' && portico edge', ''), repo);
  const edge = await sh.start('portico edge', /In another terminal: portico http 3000/);
  const banner = edge.match.input!;
  assert.match(banner, /First start: created the account "default"/);
  assert.match(banner, /public HTTPS\s+127\.0\.0\.1:8443/);

  await startHttpService(t, (req, res) => res.end(`web ${req.url}`), 3000);
  const http = await sh.start(line(blocks, 'portico http 3000'), /Forwarding (https:\/\/\S+)/);
  assert.equal((await request(`${http.match[1]}/quick`, { ca: await ca() })).body.toString(), 'web /quick');

  // portico trust (the system store goes to PORTICO_TRUST_ROOT; the sudo line is the same as root).
  assert.match(await sh.run(line(blocks, 'portico trust ')), /installed|unchanged|skipped/);

  // More agent commands, one at a time.
  await startEchoService(t, 5432);
  const tcp = await sh.start(line(blocks, 'portico tcp 5432'), /Forwarding tcp:\/\/localhost:(\d+)/);
  const socket = net.connect(Number(tcp.match[1]), '127.0.0.1');
  socket.end('ping');
  assert.equal(
    await new Promise<string>((resolve) => {
      let d = '';
      socket.on('data', (c) => (d += c)).on('end', () => resolve(d));
    }),
    'ping',
  );
  socket.destroy();
  await stop(tcp.child);

  await sh.run(blocks.find((b) => b.code.startsWith('openssl req -x509'))!.code.split('\nportico ')[0]!);
  const tlsService = tls.createServer(
    { cert: await readFile(join(home, 'cert.pem')), key: await readFile(join(home, 'key.pem')) },
    (s) => s.end('tls service'),
  );
  await new Promise<void>((r) => tlsService.listen(9443, '127.0.0.1', r));
  defer(t, () => new Promise((r) => tlsService.close(r)));
  const passthrough = await sh.start(line(blocks, 'portico tls 9443'), /Forwarding (tls:\/\/\S+)/);
  const tlsClient = tls.connect({ host: '127.0.0.1', port: 8443, servername: 'app.localhost', ca: await ca() });
  assert.equal(
    await new Promise<string>((resolve, reject) => {
      let d = '';
      tlsClient
        .on('data', (c) => (d += c))
        .on('end', () => resolve(d))
        .on('error', reject);
    }),
    'tls service',
  );
  tlsClient.destroy();
  await stop(passthrough.child);

  const blog = await sh.start(
    line(blocks, 'portico http 3000 --subdomain blog'),
    /Forwarding (https:\/\/blog\.localhost:8443)/,
  );
  assert.equal((await request(`${blog.match[1]}/b`, { ca: await ca() })).body.toString(), 'web /b');
  await stop(blog.child);

  const guardedLine = line(blocks, 'portico http 3000 --basic-auth');
  const guarded = await sh.start(guardedLine, /Forwarding (https:\/\/\S+)/);
  const credentials = /--basic-auth '([^']+)'/.exec(guardedLine)![1]!;
  assert.equal((await request(`${guarded.match[1]}/g`, { ca: await ca() })).status, 401);
  const authorized = await request(`${guarded.match[1]}/g`, {
    ca: await ca(),
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}`, 'accept-encoding': 'gzip' },
  });
  assert.equal(authorized.status, 200);
  await stop(guarded.child);

  const labeled = await sh.start(
    line(blocks, 'portico tunnel --label app=web 3000'),
    /Forwarding labeled tunnel app=web/,
  );
  await stop(labeled.child);

  const yaml = blocks.find((b) => b.lang === 'yaml' && b.code.startsWith('tunnels:'))!.code;
  await mkdir(join(home, '.config/portico'), { recursive: true });
  await writeFile(join(home, '.config/portico/portico.yml'), yaml);
  const all = await sh.start(line(blocks, 'portico start --all'), /Forwarding (https:\/\/\S+)/);
  assert.equal((await request(`${all.match[1]}/all`, { ca: await ca() })).body.toString(), 'web /all');
  await stop(all.child);
  // The same with ngrok's version 3 layout.
  const v3 = blocks.find((b) => b.lang === 'yaml' && b.code.startsWith('version: 3'))!.code;
  await writeFile(join(home, '.config/portico/portico.yml'), v3);
  const allV3 = await sh.start(line(blocks, 'portico start --all'), /Forwarding (https:\/\/\S+)/);
  assert.equal((await request(`${allV3.match[1]}/v3`, { ca: await ca() })).body.toString(), 'web /v3');
  await stop(allV3.child);

  // Zero-knowledge TLS with the certificate made above.
  const zk = await sh.start(
    line(blocks, 'portico http 3000 --domain app.localhost --crt'),
    /Forwarding (https:\/\/app\.localhost:8443)/,
  );
  assert.equal((await request(`${zk.match[1]}/zk`, { ca: await ca() })).body.toString(), 'web /zk');
  await stop(zk.child);

  // The SDK snippet, saved as sdk.mjs where `@ngrok/ngrok` is installed.
  const app = join(home, 'app');
  await mkdir(app);
  await symlink(join(repo, 'node_modules'), join(app, 'node_modules'));
  await writeFile(join(app, 'sdk.mjs'), blocks.find((b) => b.lang === 'js')!.code);
  const sdk = await sh.start('node sdk.mjs', /Forwarding (https:\/\/\S+) -> localhost:3000/, app);
  assert.equal((await request(`${sdk.match[1]}/sdk`, { ca: await ca() })).body.toString(), 'web /sdk');
  await stop(sdk.child);

  // Control-plane quick start: the script, then the labeled tunnel and the curl line.
  const script = blocks.find((b) => b.code.startsWith('API=$(jq'))!.code;
  const host = (await sh.run(`${script}\necho "HOST=$HOST"`)).match(/^HOST=(\S+)$/m)![1]!;
  const tunnel = await sh.start(line(blocks, 'portico tunnel --label app=web 3000'), /Forwarding labeled tunnel/);
  const curlLine = line(blocks, 'curl --cacert ~/.portico/ca/ca.pem "https://$HOST:8443/"');
  assert.equal(
    await eventually(async () => (await sh.run(`HOST=${host}; ${curlLine}`)).trim(), 10_000, 'the edge to route'),
    'web /',
  );
  await stop(tunnel.child);

  // Accounts.
  for (const start of [
    'portico account create alice',
    'portico account list',
    'portico account limits alice',
    'portico account unrestrict alice',
    'portico account delete alice',
  ])
    await sh.run(line(blocks, start));

  await stop(http.child);
  await stop(edge.child);
  assert.equal(edge.child.exitCode, 0);
});
