import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { forward } from '../../src/agent/forward.ts';
import { apiClient, apiFetch, apiFetchFrom } from '../support/api.ts';
import { request } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { startTestEdge, type TestEdge } from '../support/edge.ts';
import { httpResponseBackend, httpsEdge, reserve } from '../support/edges.ts';
import { getFrom } from '../support/from-address.ts';
import { sdkSession } from '../support/sdk.ts';
import { eventually, startHttpService } from '../support/services.ts';
import { porticoBin as bin } from '../support/cli.ts';

const exec = promisify(execFile);

/** Runs the real CLI against the edge's store; resolves with its output, whatever the exit status. */
async function portico(edge: TestEdge, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const store = ['--data-dir', edge.dataDir, ...(edge.databaseUrl ? ['--database-url', edge.databaseUrl] : [])];
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args, ...store], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

test('portico account create/list/delete against a running edge: the new API key and authtoken work at once, and go at once with their agents', async (t) => {
  const edge = await startTestEdge(t);

  const created = await portico(edge, ['account', 'create', 'carol', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const carol = JSON.parse(created.stdout) as { id: string; name: string; api_key: string; authtoken: string };
  assert.deepEqual(Object.keys(carol), ['id', 'name', 'api_key', 'authtoken']);
  assert.match(carol.id, /^acct_[0-9a-z]{27}$/);
  assert.equal(carol.name, 'carol');

  // The API key drives the official client against the edge that was already running.
  const ngrok = apiClient(edge, carol.api_key);
  const policy = await ngrok.ipPolicies.create({ description: 'carol' });
  assert.deepEqual(
    (await ngrok.ipPolicies.list()).map((p) => p.id),
    [policy.id],
  );
  assert.equal(
    (await apiFetch(edge, 'GET', `/ip_policies/${policy.id}`)).status,
    404,
    'the bootstrap account does not see it',
  );

  // The authtoken starts a tunnel with our agent.
  const web = await startHttpService(t, (req, res) => res.end(`carol ${req.url}`));
  const tunnel = await forward({
    addr: web.port,
    serverAddr: edge.serverAddr,
    caCert: edge.caPem,
    authtoken: carol.authtoken,
  });
  defer(t, () => tunnel.close());
  assert.equal((await request(`${tunnel.url}/hello`, { ca: edge.caPem })).body.toString(), 'carol /hello');
  await tunnel.close();

  // Text output, list (the bootstrap account is one of them), duplicates and bad names refused.
  const text = await portico(edge, ['account', 'create', 'dave']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Created account dave\.\n {2}id {9}acct_\w+\n {2}API key {4}\S+\n {2}authtoken {2}\S+/);
  const listed = await portico(edge, ['account', 'list', '--json']);
  assert.deepEqual((JSON.parse(listed.stdout) as Array<{ name: string }>).map((a) => a.name).sort(), [
    'carol',
    'dave',
    'default',
  ]);
  assert.match((await portico(edge, ['account', 'list'])).stdout, /^ID\s+NAME\s+CREATED\n(acct_\w+ +\w+ +\S+Z\n){3}$/);
  const duplicate = await portico(edge, ['account', 'create', 'carol']);
  assert.equal(duplicate.code, 1);
  assert.match(duplicate.stderr, /account "carol" already exists/);
  assert.equal((await portico(edge, ['account', 'create', 'no spaces'])).code, 1);

  // Deleting takes the account's keys, tokens, resources and agent sessions with it, at once: an
  // official SDK agent connected with carol's authtoken, and an HTTPS edge of hers.
  await reserve(ngrok, 'carol.example.test');
  await httpsEdge(ngrok, ['carol.example.test:443'], [{ backendId: await httpResponseBackend(ngrok, 'carol edge') }]);
  // A session of its own, closed after the test: ending a listener leaves a refused session retrying.
  const sdk = await (
    await sdkSession(t, edge, carol.authtoken)
  )
    .httpEndpoint()
    .listenAndForward(`http://127.0.0.1:${web.port}`);
  const sdkHost = new URL(sdk.url()!).hostname;
  await edge.snapshots.settled();
  assert.equal((await getFrom(edge, 'carol.example.test', '127.0.0.1')).body, 'carol edge');
  assert.equal((await getFrom(edge, sdkHost, '127.0.0.1')).body, 'carol /');
  const deleted = await portico(edge, ['account', 'delete', 'carol']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, new RegExp(`Deleted account carol \\(${carol.id}\\)`));
  // The edge reads other processes' changes every second. A name nothing serves gets the
  // edge's default certificate, which does not name it.
  const unserved = (host: string) =>
    getFrom(edge, host, '127.0.0.1').then(
      (res) => res.status === 404,
      (err: NodeJS.ErrnoException) => err.code === 'ERR_TLS_CERT_ALTNAME_INVALID',
    );
  await eventually(() => unserved('carol.example.test'), 10_000, "carol's HTTPS edge unserved");
  await eventually(
    () => ![...edge.registry.sessions.values()].some((s) => s.accountId === carol.id),
    10_000,
    "carol's agent session ended",
  );
  assert.ok(await unserved(sdkHost));
  assert.equal((await apiFetch(edge, 'GET', '/ip_policies', undefined, carol.api_key)).status, 401);
  await assert.rejects(
    forward({ addr: web.port, serverAddr: edge.serverAddr, caCert: edge.caPem, authtoken: carol.authtoken }),
  );
  assert.equal(await edge.store.resources.get(carol.id, 'ip_policy', policy.id), undefined);
  assert.equal((await portico(edge, ['account', 'delete', 'carol'])).code, 1);
  const byId = await portico(edge, [
    'account',
    'delete',
    JSON.parse((await portico(edge, ['account', 'list', '--json'])).stdout).find(
      (a: { name: string }) => a.name === 'dave',
    ).id,
  ]);
  assert.equal(byId.code, 0, byId.stderr);
});

test('portico account create --max-… and account limits: the operator sets limits a running edge applies at once', async (t) => {
  const edge = await startTestEdge(t);
  const created = await portico(edge, [
    'account',
    'create',
    'lim',
    '--max-reserved-domains',
    '1',
    '--max-sessions',
    '3',
    '--json',
  ]);
  assert.equal(created.code, 0, created.stderr);
  const lim = JSON.parse(created.stdout) as { api_key: string };
  const reserve = (domain: string) => apiFetch(edge, 'POST', '/reserved_domains', { domain }, lim.api_key);
  assert.equal((await reserve('one.example.test')).status, 201);
  assert.equal((await reserve('two.example.test')).body.error_code, 'ERR_NGROK_415');

  const raised = await portico(edge, [
    'account',
    'limits',
    'lim',
    '--max-reserved-domains',
    '2',
    '--max-sessions',
    'default',
  ]);
  assert.equal(raised.code, 0, raised.stderr);
  assert.match(raised.stdout, /^Limits of account lim \(acct_\w+\):\n/);
  assert.match(raised.stdout, /\n {2}max-reserved-domains +2\n/);
  assert.match(raised.stdout, /\n {2}max-sessions +100 \(default\)\n/);
  assert.equal((await reserve('two.example.test')).status, 201, 'no edge restart needed');

  const shown = JSON.parse((await portico(edge, ['account', 'limits', 'lim', '--json'])).stdout) as Record<
    string,
    { value: number; default: boolean }
  >;
  assert.deepEqual(shown.max_reserved_domains, { value: 2, default: false });
  assert.deepEqual(shown.max_api_requests_per_minute, { value: 1200, default: true });
  const bad = await portico(edge, ['account', 'limits', 'lim', '--max-sessions', '-1']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--max-sessions <n>.*whole number from 0/);
});

test('portico account unrestrict: the operator takes away an API IP restriction that refuses every address the account calls from', async (t) => {
  const first = await startTestEdge(t);
  const ngrok = apiClient(first);
  const { id: policyId } = await ngrok.ipPolicies.create({});
  await ngrok.ipPolicyRules.create({ ipPolicyId: policyId, cidr: '127.0.0.2/32', action: 'allow' });
  const made = await apiFetchFrom(first, '127.0.0.2', 'POST', '/ip_restrictions', {
    type: 'api',
    ip_policy_ids: [policyId],
    enforced: true,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await first.snapshots.settled();
  assert.equal((await apiFetch(first, 'GET', '/ip_policies')).body.error_code, 'ERR_NGROK_1212');
  const [account] = await first.store.accounts.list();

  // Run beside the edge, which applies it within a second: no restart.
  const none = await portico(first, ['account', 'unrestrict', account!.name, '--type', 'endpoints']);
  assert.equal(none.code, 0, none.stderr);
  assert.match(none.stdout, /has no endpoints IP restrictions/);
  const bad = await portico(first, ['account', 'unrestrict', account!.name, '--type', 'dashboard']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--type dashboard: use one of agent, api, endpoints/);
  const done = await portico(first, ['account', 'unrestrict', account!.name]);
  assert.equal(done.code, 0, done.stderr);
  assert.match(
    done.stdout,
    new RegExp(`Deleted 1 api IP restriction\\(s\\) of account .*: ${String(made.body.id)}\\.`),
  );

  const listed = await eventually(
    async () => (await apiFetch(first, 'GET', '/ip_policies')).status === 200,
    10_000,
    'the API answering 127.0.0.1 again',
  );
  assert.ok(listed);
  assert.deepEqual(
    (await ngrok.ipPolicies.list()).map((p) => p.id),
    [policyId],
  );
});
