import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { agentCommands } from './agent-commands.ts';
import { parseAgentConfig, saveAuthtoken } from '../agent/config-yaml.ts';
import { porticoBin as bin } from '../../test/support/cli.ts';

test('config add-authtoken writes the token into the file named by --config', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'nested', 'portico.yml');
  const program = new Command('portico').exitOverride();
  for (const c of agentCommands(async () => {})) program.addCommand(c);
  const out: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as unknown as typeof process.stdout.write;
  try {
    await program.parseAsync(['config', 'add-authtoken', 'tok-123', '--config', path], { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  assert.match(await readFile(path, 'utf8'), /^authtoken: tok-123$/m);
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.match(out.join(''), new RegExp(`saved .*${path.replace(/[/.]/g, '\\$&')}`));
});

test('config add-authtoken puts the token under agent: in a version 3 file, keeping the file valid', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'portico.yml');
  await writeFile(path, 'version: 3\n# the web app\nendpoints:\n  - name: web\n    upstream: { url: 3000 }\n');
  await saveAuthtoken(path, 'tok-v3');
  const text = await readFile(path, 'utf8');
  assert.match(text, /# the web app/, 'comments kept');
  const config = parseAgentConfig(text, path);
  assert.equal(config.authtoken, 'tok-v3');
  assert.deepEqual(Object.keys(config.tunnels), ['web']);
});

test('the portico binary: add-authtoken through bin/portico.cjs, and an unreachable edge exits 1 with ERROR', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-bin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const env = { ...process.env, PORTICO_CONFIG: join(dir, 'portico.yml'), PORTICO_DATA_DIR: join(dir, 'data') };
  const saved = spawnSync(process.execPath, [bin, 'config', 'add-authtoken', 'abc'], { env, encoding: 'utf8' });
  assert.equal(saved.status, 0, saved.stderr);
  assert.match(await readFile(join(dir, 'portico.yml'), 'utf8'), /authtoken: abc/);
  // Port 1 on loopback refuses at once.
  const failed = spawnSync(process.execPath, [bin, 'http', '3000', '--server-addr', '127.0.0.1:1', '--log', 'false'], {
    env,
    encoding: 'utf8',
  });
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /^ERROR: .*127\.0\.0\.1:1/m);
});
