import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { jsonLine, porticoBin, spawnPortico } from '../support/cli.ts';
import { startTestEdge, tempDir } from '../support/edge.ts';

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

test('a config file with a key Portico does not support is refused before connecting, naming the key and the file', async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'portico.yml');
  await writeFile(
    config,
    'version: "2"\ntunnels:\n  web:\n    proto: http\n    addr: 3000\n    traffic_policy: { on_http_request: [] }\n',
  );
  const r = spawnSync(
    process.execPath,
    [porticoBin, 'start', 'web', '--config', config, '--server-addr', '127.0.0.1:1'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 1);
  assert.equal(
    r.stderr,
    `ERROR: The agent configuration is invalid. (${config}: tunnels.web.traffic_policy: an ngrok agent setting that Portico does not support yet; remove it) (ERR_AGENT_CONFIG)\n`,
  );
  // `portico http` reads the same file for its settings, and refuses it too.
  const http = spawnSync(
    process.execPath,
    [porticoBin, 'http', '3000', '--config', config, '--server-addr', '127.0.0.1:1'],
    { encoding: 'utf8' },
  );
  assert.equal(http.status, 1);
  assert.match(http.stderr, /tunnels\.web\.traffic_policy/);
});
