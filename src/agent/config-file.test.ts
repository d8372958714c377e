import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { parseAgentConfig, readAgentConfig, saveAuthtoken } from './config-file.ts';
import { tunnelSpecs } from './tunnels.ts';

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

test('a v2-style config parses; unknown top-level keys such as version are ignored', () => {
  const c = parseAgentConfig(sample);
  assert.equal(c.authtoken, 'old-token');
  assert.equal(c.server_addr, 'edge.example:4443');
  assert.deepEqual(c.tunnels.web, { proto: 'http', addr: '3000', subdomain: 'web', pooling_enabled: true });
  assert.deepEqual(c.tunnels.api, { addr: 'http://localhost:8081', labels: ['edge=edghts_1', 'team=core'], metadata: 'api-meta' });
});

test('named tunnels become listen specs, in the order asked; --all takes every tunnel', () => {
  const c = parseAgentConfig(sample);
  const [db, web] = tunnelSpecs(c, ['db', 'web'], false);
  assert.deepEqual(db, { name: 'db', proto: 'tcp', forwardsTo: 'localhost:5432', remoteAddr: 'edge.example:20001' });
  assert.deepEqual(web, { name: 'web', proto: 'http', forwardsTo: 'http://localhost:3000', subdomain: 'web', poolingEnabled: true });
  const all = tunnelSpecs(c, [], true);
  assert.deepEqual(all.map((s) => s.name), ['web', 'db', 'secure', 'api']);
  assert.deepEqual(all[2], { name: 'secure', proto: 'tls', forwardsTo: 'localhost:8443', hostname: 'secure.example' });
  assert.deepEqual(all[3]!.labels, { edge: 'edghts_1', team: 'core' });
  assert.equal(all[3]!.forwardsTo, 'http://localhost:8081');
  assert.throws(() => tunnelSpecs(c, ['nope'], false), /no tunnel named "nope"/);
  assert.throws(() => tunnelSpecs(c, [], false), /--all \(tunnels: web, db, secure, api\)/);
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
    assert.throws(() => parseAgentConfig(text), (err: Error & { code?: string }) => err.code === 'ERR_AGENT_CONFIG' && pattern.test(err.message), text);
  }
  assert.throws(() => tunnelSpecs(parseAgentConfig('tunnels:\n  x: { addr: 1, labels: ["nolabel"] }\n'), ['x'], false), /tunnels\.x\.labels\[0\]/);
});

test('a missing file reads as an empty config', async (t) => {
  const dir = await tempDir(t);
  assert.deepEqual(await readAgentConfig(join(dir, 'absent.yml')), { tunnels: {} });
});

test('add-authtoken creates the file and its directories with mode 0600', async (t) => {
  const path = join(await tempDir(t), 'a', 'b', 'portico.yml');
  await saveAuthtoken(path, 'tok-1');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(await readAgentConfig(path), { authtoken: 'tok-1', tunnels: {} });
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
