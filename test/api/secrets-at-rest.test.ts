import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chmod, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { apiClient, apiFetch } from '../support/api.ts';
import { startTestEdge, type TestEdge } from '../support/edge.ts';

const secrets = ['whsec-PLAIN-1', 'oauth-PLAIN-2', 'oidc-PLAIN-3', 'policy-PLAIN-4'];

/** Every stored document as the database holds it, plus (SQLite) the raw bytes of its files. */
async function rawStore(edge: TestEdge): Promise<string> {
  const rows = await edge.store.db.selectFrom('resources').select('doc').execute();
  let raw = rows.map((r) => r.doc).join('\n');
  for (const file of ['portico.db', 'portico.db-wal']) {
    const path = join(edge.dataDir, file);
    if (existsSync(path)) raw += (await readFile(path)).toString('latin1');
  }
  return raw;
}

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/** The route modules holding secrets, as a user configures them (switched off where the edge does not run them yet). */
const secretModules = {
  webhook_verification: { enabled: true, provider: 'github', secret: secrets[0] },
  oauth: { enabled: true, provider: { github: { client_id: 'gh-app', client_secret: secrets[1] } } },
  oidc: { enabled: true, issuer: 'https://idp.example.test', client_id: 'oidc-app', client_secret: secrets[2] },
  policy: {
    enabled: false,
    inbound: [{ name: 'auth', actions: [{ type: 'basic-auth', config: { credentials: [`user:${secrets[3]}`] } }] }],
  },
};

test('module secrets are sealed at rest, read back as ngrok returns them; the data dir, database and keys are private', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const https = await apiFetch(edge, 'POST', '/edges/https', {});
  const route = await apiFetch(edge, 'POST', `/edges/https/${https.body.id}/routes`, {
    match_type: 'path_prefix',
    match: '/',
    ...secretModules,
  });
  assert.equal(route.status, 201, JSON.stringify(route.body));

  // Reads return what was written: the official client gets every secret back.
  const read = await ngrok.edges.edgesHttpsRoutes.get({ edgeId: String(https.body.id), id: String(route.body.id) });
  assert.equal(read.webhookVerification?.secret, secrets[0]);
  assert.equal(read.oauth?.provider.github?.clientSecret, secrets[1]);
  assert.equal(read.oidc?.clientSecret, secrets[2]);
  assert.deepEqual((route.body.policy as { inbound: Array<{ actions: unknown[] }> }).inbound[0]!.actions, [
    { type: 'basic-auth', config: { credentials: [`user:${secrets[3]}`] } },
  ]);
  const edgeRead = await apiFetch(edge, 'GET', `/edges/https/${https.body.id}`);
  assert.equal((edgeRead.body.routes as Array<{ oidc: { client_secret: string } }>)[0]!.oidc.client_secret, secrets[2]);
  // The module paths too: PUT and GET.
  const put = await apiFetch(
    edge,
    'PUT',
    `/edges/https/${https.body.id}/routes/${route.body.id}/webhook_verification`,
    { enabled: true, provider: 'stripe', secret: 'whsec-PLAIN-5' },
  );
  assert.equal(put.body.secret, 'whsec-PLAIN-5');
  assert.equal(
    (await apiFetch(edge, 'GET', `/edges/https/${https.body.id}/routes/${route.body.id}/webhook_verification`)).body
      .secret,
    'whsec-PLAIN-5',
  );

  const raw = await rawStore(edge);
  for (const secret of [...secrets, 'whsec-PLAIN-5']) assert.ok(!raw.includes(secret), `${secret} found in the store`);

  assert.equal(await modeOf(edge.dataDir), 0o700);
  for (const file of [
    'edge-secret',
    'bootstrap.json',
    join('ca', 'ca-key.pem'),
    'portico.db',
    'portico.db-wal',
    'portico.db-shm',
  ]) {
    const path = join(edge.dataDir, file);
    if (file.startsWith('portico.db') && edge.databaseUrl) continue; // PostgreSQL run: no SQLite file
    assert.equal(await modeOf(path), 0o600, file);
  }
});

test('plaintext secrets and loose modes left by an older version are sealed and tightened on start', async (t) => {
  const first = await startTestEdge(t);
  const dataDir = first.dataDir;
  // What the previous version stored: a route with its secrets in plain text (the read shapes).
  const https = await apiFetch(first, 'POST', '/edges/https', {});
  const created = await apiFetch(first, 'POST', `/edges/https/${https.body.id}/routes`, {
    match_type: 'path_prefix',
    match: '/',
    ...secretModules,
  });
  const route = { id: String(created.body.id) };
  const stored = (await first.store.resources.get<{ routes: Array<Record<string, unknown>> }>(
    first.credentials.accountId,
    'https_edge',
    String(https.body.id),
  ))!;
  const plain = Object.fromEntries(Object.keys(secretModules).map((name) => [name, created.body[name]]));
  await first.store.resources.update(first.credentials.accountId, 'https_edge', stored.id, {
    ...stored.doc,
    routes: [{ ...stored.doc.routes[0], ...plain }],
  });
  const legacy = stored;
  assert.ok((await rawStore(first)).includes(secrets[1]!), 'the legacy document holds plaintext');
  // An older version's store has no record of its module secrets being sealed.
  await first.store.settings.set('module_secrets_sealed', '');
  await first.close();
  await chmod(dataDir, 0o755);
  for (const file of ['edge-secret', join('ca', 'ca-key.pem'), ...(first.databaseUrl ? [] : ['portico.db'])])
    await chmod(join(dataDir, file), 0o644);

  const edge = await startTestEdge(t, { dataDir });
  const raw = await rawStore(edge);
  const doc = (
    await edge.store.db.selectFrom('resources').select('doc').where('id', '=', legacy.id).executeTakeFirstOrThrow()
  ).doc;
  for (const secret of secrets) assert.ok(!doc.includes(secret), `${secret} still in plain text`);
  assert.ok(raw.length > 0);
  const read = await apiFetch(edge, 'GET', `/edges/https/${legacy.id}/routes/${route.id}`);
  assert.equal((read.body.webhook_verification as { secret: string }).secret, secrets[0]);
  assert.equal((read.body.oidc as { client_secret: string }).client_secret, secrets[2]);
  assert.deepEqual(
    (read.body.policy as { inbound: Array<{ actions: unknown[] }> }).inbound[0]!.actions,
    secretModules.policy.inbound[0]!.actions,
  );

  assert.equal(await modeOf(dataDir), 0o700);
  for (const file of ['edge-secret', join('ca', 'ca-key.pem'), ...(edge.databaseUrl ? [] : ['portico.db'])])
    assert.equal(await modeOf(join(dataDir, file)), 0o600, file);
});
