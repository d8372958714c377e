import assert from 'node:assert/strict';
import { test } from 'node:test';
import ngrokSdk from '@ngrok/ngrok';
import { forward } from '../../src/agent/forward.ts';
import { isPorticoError } from '../../src/errors/catalogue.ts';
import { apiClient, apiFetch, otherAccount } from '../support/api.ts';
import { defer } from '../support/defer.ts';
import { request } from '../support/client.ts';
import { startTestEdge } from '../support/edge.ts';
import { sdkSession } from '../support/sdk.ts';
import { eventually, sleep, startHttpService } from '../support/services.ts';

const errorCode = (code: string) => (e: { errorCode?: string }) => e.errorCode === code;
const notFound = (e: { statusCode?: number }) => e.statusCode === 404;

test('credentials through @ngrok/ngrok-api: CRUD, token only on create, ACL validation, isolation', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);

  const bootstrap = await ngrok.credentials.list();
  assert.equal(bootstrap.length, 1, 'the bootstrap credential is listed');
  assert.equal(bootstrap[0]!.token, null);

  const created = await ngrok.credentials.create({
    description: 'ci',
    metadata: '{"a":1}',
    acl: ['bind:*.example.com', 'bind:app.localhost'],
  });
  assert.match(created.id, /^cr_[0-9a-z]{27}$/);
  assert.equal(created.uri, `${edge.bootstrap.api_url}/credentials/${created.id}`);
  assert.ok(created.token && created.token.length > 20, 'token returned on create');
  assert.deepEqual(created.acl, ['bind:*.example.com', 'bind:app.localhost']);
  const got = await ngrok.credentials.get(created.id);
  assert.equal(got.token, null, 'token never returned again');
  assert.deepEqual({ ...got, token: created.token }, created);

  const more = [];
  for (let i = 0; i < 4; i++) more.push(await ngrok.credentials.create({ acl: [] }));
  const all = await ngrok.credentials.list(undefined, '2');
  assert.deepEqual(
    all.map((c) => c.id),
    [...more.map((c) => c.id).reverse(), created.id, bootstrap[0]!.id],
  );
  assert.ok(all.every((c) => c.token === null));

  const updated = await ngrok.credentials.update({ id: created.id, acl: ['bind:*'], description: 'ci v2' });
  assert.deepEqual(updated.acl, ['bind:*']);
  assert.equal(updated.description, 'ci v2');
  assert.equal(updated.metadata, '{"a":1}');
  assert.equal(updated.token, null);

  for (const bad of [['allow:x.com'], ['x.com'], ['bind:'], ['bind:foo..com'], ['bind:*.*.com']]) {
    await assert.rejects(ngrok.credentials.create({ acl: bad }), errorCode('ERR_NGROK_215'), bad[0]);
  }
  await assert.rejects(ngrok.credentials.update({ id: created.id, acl: ['nope'] }), errorCode('ERR_NGROK_215'));
  assert.equal((await apiFetch(edge, 'POST', '/credentials', { acl: 'bind:x.com' })).body.error_code, 'ERR_NGROK_215');
  assert.equal(
    (await apiFetch(edge, 'POST', '/credentials', { description: 'x'.repeat(256), acl: [] })).body.error_code,
    'ERR_NGROK_420',
  );
  await assert.rejects(ngrok.credentials.get('cr_00000000000000000000000000'), notFound);
  // Portico has no users or bots: an owner is refused, not dropped; null or "" is no owner.
  await assert.rejects(ngrok.credentials.create({ acl: [], ownerId: 'usr_x' }), errorCode('ERR_NGROK_215'));
  await assert.rejects(ngrok.apiKeys.create({ ownerId: 'bot_x' }), errorCode('ERR_NGROK_215'));
  assert.match(
    String((await apiFetch(edge, 'POST', '/api_keys', { owner_id: 'usr_x' })).body.msg),
    /^owner_id: Portico has no users or bots/,
  );
  const unowned = await apiFetch(edge, 'POST', '/api_keys', { owner_id: '' });
  assert.equal(unowned.status, 201);
  await ngrok.apiKeys.delete(String(unowned.body.id));
  const nullAcl = await apiFetch(edge, 'POST', '/credentials', { acl: null, owner_id: null });
  assert.equal(nullAcl.status, 201);
  assert.deepEqual(nullAcl.body.acl, []);
  assert.equal(nullAcl.body.owner_id, null);
  assert.deepEqual((await apiFetch(edge, 'PATCH', `/credentials/${more[0]!.id}`, { acl: ['bind:a.com'] })).body.acl, [
    'bind:a.com',
  ]);
  assert.deepEqual((await apiFetch(edge, 'PATCH', `/credentials/${more[0]!.id}`, { acl: null })).body.acl, []);
  await ngrok.credentials.delete(String(nullAcl.body.id));

  const other = await otherAccount(edge);
  const theirs = await apiFetch(edge, 'GET', '/credentials', undefined, other.apiKey);
  assert.equal((theirs.body.credentials as unknown[]).length, 1, 'only their own credential');
  assert.equal((await apiFetch(edge, 'GET', `/credentials/${created.id}`, undefined, other.apiKey)).status, 404);
  assert.equal(
    (await apiFetch(edge, 'PATCH', `/credentials/${created.id}`, { description: 'x' }, other.apiKey)).status,
    404,
  );
  assert.equal((await apiFetch(edge, 'DELETE', `/credentials/${created.id}`, undefined, other.apiKey)).status, 404);

  assert.deepEqual(await ngrok.credentials.delete(created.id), {});
  await assert.rejects(ngrok.credentials.get(created.id), notFound);
  await assert.rejects(ngrok.credentials.delete(created.id), notFound);
});

test('API keys: token only on create, a new key works with the client, deleting the key in use', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);

  const [bootstrap] = await ngrok.apiKeys.list();
  assert.match(bootstrap!.id, /^ak_[0-9a-z]{27}$/);
  assert.equal(bootstrap!.token, null);

  const key = await ngrok.apiKeys.create({ description: 'deploys', metadata: 'm' });
  assert.match(key.id, /^ak_[0-9a-z]{27}$/);
  assert.ok(key.token);
  assert.equal((await ngrok.apiKeys.get(key.id)).token, null);
  const keys = [];
  for (let i = 0; i < 3; i++) keys.push(await ngrok.apiKeys.create({}));
  assert.deepEqual(
    (await ngrok.apiKeys.list(undefined, '2')).map((k) => k.id),
    [...keys.map((k) => k.id).reverse(), key.id, bootstrap!.id],
  );

  // The new key drives the API with the official client.
  const second = apiClient(edge, key.token!);
  const policy = await second.ipPolicies.create({ description: 'via new key' });
  assert.equal((await ngrok.ipPolicies.get(policy.id)).description, 'via new key');

  const updated = await second.apiKeys.update({ id: key.id, description: 'deploys v2' });
  assert.equal(updated.description, 'deploys v2');
  assert.equal(updated.metadata, 'm');
  assert.equal(
    (await apiFetch(edge, 'PATCH', `/api_keys/${key.id}`, { metadata: 'x'.repeat(4097) })).body.error_code,
    'ERR_NGROK_421',
  );

  const other = await otherAccount(edge);
  assert.equal((await apiFetch(edge, 'GET', '/api_keys', undefined, other.apiKey)).body.keys instanceof Array, true);
  assert.equal(((await apiFetch(edge, 'GET', '/api_keys', undefined, other.apiKey)).body.keys as unknown[]).length, 1);
  assert.equal((await apiFetch(edge, 'DELETE', `/api_keys/${key.id}`, undefined, other.apiKey)).status, 404);

  // Deleting the key one is using is allowed; the next call with it is refused.
  assert.deepEqual(await second.apiKeys.delete(key.id), {});
  await assert.rejects(second.ipPolicies.list(), (e: { statusCode?: number }) => e.statusCode === 401);
  await assert.rejects(ngrok.apiKeys.get(key.id), notFound);
});

test('credential ACL is enforced at the agent ingress', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const web = await startHttpService(t, (_req, res) => res.end('ok'));
  const credential = await ngrok.credentials.create({ acl: ['bind:allowed.localhost'] });
  const agent = (subdomain: string) =>
    forward({
      addr: web.port,
      subdomain,
      serverAddr: edge.serverAddr,
      caCert: edge.caPem,
      authtoken: credential.token!,
    });

  const allowed = await agent('allowed');
  defer(t, () => allowed.close());
  assert.equal(allowed.url, `https://allowed.localhost:${edge.ports.https}`);
  await assert.rejects(
    agent('other'),
    (e: unknown) => isPorticoError(e) && e.code === 'ERR_BIND_NOT_ALLOWED' && /other\.localhost/.test(e.message),
  );
  await assert.rejects(
    forward({
      addr: web.port,
      labels: { app: 'x' },
      serverAddr: edge.serverAddr,
      caCert: edge.caPem,
      authtoken: credential.token!,
    }),
    (e: unknown) => isPorticoError(e) && e.code === 'ERR_BIND_NOT_ALLOWED',
  );

  // The ACL is read at authentication: widened through the API, the next session may bind more.
  await ngrok.credentials.update({
    id: credential.id,
    acl: ['bind:allowed.localhost', 'bind:*.apps.localhost', 'bind:app=*'],
  });
  const nested = await agent('a.b.apps');
  defer(t, () => nested.close());
  const labeled = await forward({
    addr: web.port,
    labels: { app: 'x' },
    serverAddr: edge.serverAddr,
    caCert: edge.caPem,
    authtoken: credential.token!,
  });
  defer(t, () => labeled.close());
  assert.ok(labeled.id);
});

test('deleting an authtoken ends the sessions it let in at once (ERR_NGROK_107), and no others', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const { id, token } = await ngrok.credentials.create({ description: 'leaked', acl: [] });
  const disconnects: string[] = [];
  const connect = (authtoken: string) =>
    new ngrokSdk.SessionBuilder()
      .serverAddr(edge.serverAddr)
      .caCert(Buffer.from(edge.caPem))
      .authtoken(authtoken)
      // Told of its end, the SDK is asked not to reconnect.
      .handleDisconnection((_addr, error) => (disconnects.push(error), false))
      .connect();
  const leaked = await connect(token!);
  defer(t, () => Promise.race([leaked.close().catch(() => {}), sleep(2000)]));
  const kept = await sdkSession(t, edge);
  const web = await startHttpService(t, (_req, res) => res.end('kept'));
  const keptUrl = (await kept.httpEndpoint().listenAndForward(`http://127.0.0.1:${web.port}`)).url()!;
  await eventually(async () => (await ngrok.tunnelSessions.list()).length === 2, 5000, 'both sessions listed');

  await ngrok.credentials.delete(id);
  await eventually(async () => (await ngrok.tunnelSessions.list()).length === 1, 5000, 'the leaked session ended');
  await eventually(() => disconnects.length > 0, 5000, 'the SDK told its session is over');
  await assert.rejects(connect(token!), /ERR_NGROK_107/);
  assert.equal((await request(`${keptUrl}/`, { ca: edge.caPem })).body.toString(), 'kept');
});
