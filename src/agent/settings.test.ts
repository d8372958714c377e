import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { rootCertificates } from 'node:tls';
import { dialableAddr, resolveSettings } from './settings.ts';

const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`;

/** A temp home: a data dir with bootstrap.json + CA file, and a config file path. */
async function fixture(t: TestContext, config?: string) {
  const dir = await mkdtemp(join(tmpdir(), 'portico-settings-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataDir = join(dir, 'data');
  await mkdir(dataDir);
  await writeFile(join(dataDir, 'ca.pem'), pem('bootstrap-ca'));
  const bootstrap = { agent_addr: '0.0.0.0:4443', authtoken: 'boot-token', ca_cert: join(dataDir, 'ca.pem') };
  await writeFile(join(dataDir, 'bootstrap.json'), JSON.stringify(bootstrap));
  const configPath = join(dir, 'cfg', 'portico.yml');
  if (config !== undefined) {
    await mkdir(join(dir, 'cfg'));
    await writeFile(configPath, config);
    await writeFile(join(dir, 'cfg', 'config-ca.pem'), pem('config-ca'));
  }
  return { dir, dataDir, configPath };
}

test('bootstrap.json alone is enough: address made dialable, token, CA added to system roots', async (t) => {
  const f = await fixture(t);
  const s = await resolveSettings({ dataDir: f.dataDir, configPath: f.configPath, env: {} });
  assert.equal(s.serverAddr, 'localhost:4443');
  assert.equal(s.authtoken, 'boot-token');
  assert.equal(s.ca?.length, rootCertificates.length + 1);
  assert.equal(s.ca?.at(-1), pem('bootstrap-ca'));
  assert.deepEqual(s.sources, { serverAddr: 'bootstrap', authtoken: 'bootstrap', ca: 'bootstrap' });
});

test('the config file beats bootstrap.json; its ca_cert is relative to the file and replaces the roots', async (t) => {
  const f = await fixture(
    t,
    'server_addr: edge.example:4443\nauthtoken: cfg-token\nca_cert: config-ca.pem\nregion: eu\n',
  );
  const s = await resolveSettings({ dataDir: f.dataDir, configPath: f.configPath, env: {} });
  assert.equal(s.serverAddr, 'edge.example:4443');
  assert.equal(s.authtoken, 'cfg-token');
  assert.deepEqual(s.ca, [pem('config-ca')]);
  assert.equal(s.region, 'eu');
  assert.deepEqual(s.sources, { serverAddr: 'config', authtoken: 'config', ca: 'config' });
});

test('the environment beats the config file', async (t) => {
  const f = await fixture(t, 'server_addr: edge.example:4443\nauthtoken: cfg-token\n');
  const env = { PORTICO_SERVER_ADDR: 'env.example:443', PORTICO_AUTHTOKEN: 'env-token' };
  const s = await resolveSettings({ dataDir: f.dataDir, configPath: f.configPath, env });
  assert.equal(s.serverAddr, 'env.example:443');
  assert.equal(s.authtoken, 'env-token');
  assert.deepEqual(s.sources, { serverAddr: 'env', authtoken: 'env', ca: 'bootstrap' });
});

test('options beat everything; an explicit CA replaces the roots', async (t) => {
  const f = await fixture(
    t,
    'server_addr: edge.example:4443\nauthtoken: cfg-token\nca_cert: config-ca.pem\nregion: eu\n',
  );
  const env = { PORTICO_SERVER_ADDR: 'env.example:443', PORTICO_AUTHTOKEN: 'env-token' };
  const s = await resolveSettings({
    dataDir: f.dataDir,
    configPath: f.configPath,
    env,
    serverAddr: '127.0.0.1:9',
    authtoken: 'opt-token',
    caCert: pem('opt-ca'),
    region: 'us',
  });
  assert.equal(s.serverAddr, '127.0.0.1:9');
  assert.equal(s.authtoken, 'opt-token');
  assert.deepEqual(s.ca, [pem('opt-ca')]);
  assert.equal(s.region, 'us');
  assert.deepEqual(s.sources, { serverAddr: 'option', authtoken: 'option', ca: 'option' });
});

test('a CA path option is read; an unreadable one is a clear config error', async (t) => {
  const f = await fixture(t, '');
  const s = await resolveSettings({
    dataDir: f.dataDir,
    configPath: f.configPath,
    env: {},
    caCertPath: join(f.dataDir, 'ca.pem'),
  });
  assert.deepEqual(s.ca, [pem('bootstrap-ca')]);
  await assert.rejects(
    resolveSettings({ dataDir: f.dataDir, configPath: f.configPath, env: {}, caCertPath: join(f.dir, 'nope.pem') }),
    (err: Error & { code?: string }) => err.code === 'ERR_AGENT_CONFIG' && err.message.includes('nope.pem'),
  );
});

test('with nothing anywhere there is no address to dial: ERR_AGENT_CONFIG naming the ways to set one', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'portico-empty-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await assert.rejects(
    resolveSettings({ dataDir: join(dir, 'none'), configPath: join(dir, 'none.yml'), env: {} }),
    (err: Error & { code?: string }) => err.code === 'ERR_AGENT_CONFIG' && /--server-addr/.test(err.message),
  );
  const s = await resolveSettings({
    dataDir: join(dir, 'none'),
    configPath: join(dir, 'none.yml'),
    env: {},
    serverAddr: 'x:1',
  });
  assert.equal(s.authtoken, '');
  assert.equal(s.ca, undefined);
  assert.equal(s.sources.authtoken, 'none');
});

test('the default paths come from the environment', async (t) => {
  const f = await fixture(t, 'authtoken: from-xdg\n');
  const env = { PORTICO_DATA_DIR: f.dataDir, PORTICO_CONFIG: f.configPath };
  const s = await resolveSettings({ env });
  assert.equal(s.serverAddr, 'localhost:4443');
  assert.equal(s.authtoken, 'from-xdg');
});

test('bound addresses become dialable ones', () => {
  assert.equal(dialableAddr(':4443'), 'localhost:4443');
  assert.equal(dialableAddr('0.0.0.0:4443'), 'localhost:4443');
  assert.equal(dialableAddr('[::]:4443'), 'localhost:4443');
  assert.equal(dialableAddr('127.0.0.1:4443'), '127.0.0.1:4443');
  assert.equal(dialableAddr('[::1]:4443'), '[::1]:4443');
  assert.equal(dialableAddr('edge.example'), 'edge.example:443');
});
