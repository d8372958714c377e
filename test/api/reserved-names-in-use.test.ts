import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forward } from '../../src/agent/forward.ts';
import { apiFetch, otherAccount } from '../support/api.ts';
import { request } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { startTestEdge } from '../support/edge.ts';
import { eventually, freePort, startEchoService, startHttpService } from '../support/services.ts';

test("a name another account's agent uses, or holds for its reconnect, cannot be reserved", async (t) => {
  const edge = await startTestEdge(t);
  const victim = edge.credentials;
  const mallory = await otherAccount(edge, 'mallory');
  const web = await startHttpService(t, (_req, res) => res.end('victim'));
  const common = { serverAddr: edge.serverAddr, caCert: edge.caPem, addr: web.port, authtoken: victim.authtoken };
  const reserve = (domain: string, apiKey = mallory.apiKey) =>
    apiFetch(edge, 'POST', '/reserved_domains', { domain }, apiKey);

  const app = await forward({ ...common, hostname: 'app.localhost' });
  const team = await forward({ ...common, hostname: 'x.team.localhost' });
  defer(t, () => team.close());
  // The names, and a wildcard over one of them, are refused to another account.
  for (const [domain, code] of [
    ['app.localhost', 'ERR_NGROK_414'],
    ['APP.localhost.', 'ERR_NGROK_414'],
    ['*.team.localhost', 'ERR_NGROK_417'],
  ]) {
    const res = await reserve(domain!);
    assert.equal(res.status, 400, domain);
    assert.equal(res.body.error_code, code, `${domain}: ${String(res.body.msg)}`);
  }
  assert.equal((await reserve('other.localhost')).status, 201);

  // The victim's agent drops: the edge holds its name for a reconnect, and so does the API.
  await app.close();
  await eventually(
    () => ![...edge.registry.tunnels.values()].some((tn) => tn.hostname === 'app.localhost'),
    10_000,
    'the dropped tunnel gone',
  );
  assert.deepEqual([...edge.registry.hostnameHolders('app.localhost')], [victim.accountId]);
  assert.equal((await reserve('app.localhost')).body.error_code, 'ERR_NGROK_414');

  // The victim reconnects within the hold, keeps its name, and its visitors reach it.
  const back = await forward({ ...common, hostname: 'app.localhost' });
  defer(t, () => back.close());
  assert.equal(new URL(back.url).hostname, 'app.localhost');
  const res = await request(back.url, { ca: edge.caPem });
  assert.equal(res.body.toString(), 'victim');
  assert.equal((await reserve('app.localhost')).body.error_code, 'ERR_NGROK_414');
  // The victim itself may still reserve the name it uses.
  assert.equal((await reserve('app.localhost', victim.apiKey)).status, 201);
});

test("a TCP port another account's agent uses, or holds for its reconnect, is never handed out as a reserved address", async (t) => {
  const port = await freePort();
  // A range of one port, so a reservation could only get the port the agent has.
  const edge = await startTestEdge(t, { config: { tcpPorts: { min: port, max: port } } });
  const mallory = await otherAccount(edge, 'mallory');
  const echo = await startEchoService(t);
  const tcp = await forward({
    proto: 'tcp',
    serverAddr: edge.serverAddr,
    caCert: edge.caPem,
    addr: echo.port,
    authtoken: edge.credentials.authtoken,
  });
  assert.equal(new URL(tcp.url).port, String(port));
  assert.equal(edge.registry.portHolder(port), edge.credentials.accountId);
  const refused = await apiFetch(edge, 'POST', '/reserved_addrs', {}, mallory.apiKey);
  assert.equal(refused.status, 503);
  assert.equal(refused.body.error_code, 'ERR_ADDR_EXHAUSTED');
  await tcp.close();
  await eventually(() => edge.registry.tunnels.size === 0, 10_000, 'the dropped tunnel gone');
  assert.equal(edge.registry.portHolder(port), edge.credentials.accountId);
  assert.equal(
    (await apiFetch(edge, 'POST', '/reserved_addrs', {}, mallory.apiKey)).body.error_code,
    'ERR_ADDR_EXHAUSTED',
  );
});

test("the edge's own domain and wildcards over it are the operator's; names under it can be reserved", async (t) => {
  const edge = await startTestEdge(t, { config: { domain: 'portico.example.test' } });
  const reserve = (domain: string) => apiFetch(edge, 'POST', '/reserved_domains', { domain });
  for (const [domain, code] of [
    ['portico.example.test', 'ERR_NGROK_404'],
    ['Portico.Example.Test.', 'ERR_NGROK_404'],
    ['*.portico.example.test', 'ERR_NGROK_416'],
    ['*.example.test', 'ERR_NGROK_416'],
  ]) {
    const res = await reserve(domain!);
    assert.equal(res.status, 400, domain);
    assert.equal(res.body.error_code, code, `${domain}: ${String(res.body.msg)}`);
  }
  for (const domain of [
    'app.portico.example.test',
    '*.team.portico.example.test',
    'example.test',
    'other.example.test',
  ])
    assert.equal((await reserve(domain)).status, 201, domain);
  // With the squat refused, another account still gets HTTPS edges under the domain.
  const other = await otherAccount(edge);
  const created = await apiFetch(edge, 'POST', '/edges/https', {}, other.apiKey);
  assert.equal(created.status, 201);
  assert.match(String((created.body.hostports as string[])[0]), /^[a-z2-7]{12}\.portico\.example\.test:443$/);
});
