import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '../../test/support/services.ts';
import { porticoBin as bin } from '../../test/support/cli.ts';

test('no edge at the address: the error names the address, where it came from, and suggests `portico edge`', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-unreachable-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const dataDir = join(dir, 'data');
  await mkdir(dataDir);
  await writeFile(
    join(dataDir, 'bootstrap.json'),
    JSON.stringify({ agent_addr: `127.0.0.1:${port}`, authtoken: 'tok' }),
  );
  const config = join(dir, 'portico.yml');
  await writeFile(config, `server_addr: 127.0.0.1:${port}\n`);
  const run = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [bin, 'http', '3000', ...args], {
      env: {
        ...process.env,
        PORTICO_DATA_DIR: dataDir,
        PORTICO_CONFIG: join(dir, 'none.yml'),
        PORTICO_SERVER_ADDR: '',
        ...env,
      },
      encoding: 'utf8',
    });
    assert.equal(r.status, 1, r.stderr);
    return r.stderr;
  };

  const fromBootstrap = run([]);
  assert.match(
    fromBootstrap,
    new RegExp(
      `^ERROR: cannot reach the edge at 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port} \\(ERR_AGENT_EDGE_UNREACHABLE\\)$`,
      'm',
    ),
  );
  assert.ok(
    fromBootstrap.includes(`The address came from agent_addr in ${join(dataDir, 'bootstrap.json')}`),
    fromBootstrap,
  );
  assert.match(fromBootstrap, /start it again with `portico edge`/);

  const fromFlag = run(['--server-addr', `127.0.0.1:${port}`]);
  assert.match(fromFlag, /The address came from the --server-addr flag\./);
  assert.match(fromFlag, /Is `portico edge` running there/);

  assert.match(
    run([], { PORTICO_SERVER_ADDR: `127.0.0.1:${port}` }),
    /came from the PORTICO_SERVER_ADDR environment variable/,
  );
  assert.ok(run(['--config', config]).includes(`came from server_addr in the config file ${config}`));
});
