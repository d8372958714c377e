// Binds that try what no well-behaved agent does: another account's tunnel id, options of older
// agents that only the edge could apply, heartbeat settings at the edges of the number line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { otherAccount } from '../support/api.ts';
import { request } from '../support/client.ts';
import { forwardTo, startTestEdge } from '../support/edge.ts';
import { rawAgent } from '../support/raw-agent.ts';
import { sleep, startHttpService } from '../support/services.ts';

test("a bind cannot remove another account's tunnel by repeating its id, nor a live tunnel of another session", async (t) => {
  const edge = await startTestEdge(t);
  const web = await startHttpService(t, (_req, res) => res.end('victim'));
  const victim = await forwardTo(t, edge, {
    addr: web.port,
    subdomain: 'victim',
  });
  const [victimTunnel] = [...edge.registry.tunnels.values()];
  const victimId = victimTunnel!.id;

  const mallory = await otherAccount(edge, 'mallory');
  const raw = await rawAgent(t, edge);
  assert.equal((await raw.auth(mallory.authtoken)).Error ?? '', '');
  // Another name with the victim's id: bound under a fresh id; the victim's tunnel stays.
  const elsewhere = await raw.bind({ Id: victimId, Opts: { Hostname: 'mallory.localhost' } });
  assert.equal(elsewhere.Error, '');
  assert.notEqual(elsewhere.Id, victimId);
  // The victim's name with the victim's id: taken.
  const same = await raw.bind({ Id: victimId, Opts: { Hostname: 'victim.localhost' } });
  assert.match(String(same.Error), /ERR_HOSTNAME_TAKEN/);
  assert.equal(edge.registry.tunnels.get(victimId)?.session.accountId, edge.credentials.accountId);
  assert.equal((await request(victim.url, { ca: edge.caPem })).body.toString(), 'victim');

  // The same account from another live connection cannot displace it either.
  const sibling = await rawAgent(t, edge);
  await sibling.auth(edge.credentials.authtoken);
  assert.match(
    String((await sibling.bind({ Id: victimId, Opts: { Hostname: 'victim.localhost' } })).Error),
    /ERR_HOSTNAME_TAKEN/,
  );
  assert.equal((await request(victim.url, { ca: edge.caPem })).body.toString(), 'victim');
});

test('module options the edge does not run (OAuth without an own application or with an unsupported provider, mutual TLS at the edge for tls endpoints, unknown keys) and HostHeaderRewrite without a service address are refused with ERR_OPTION_UNSUPPORTED, not served without them', async (t) => {
  const edge = await startTestEdge(t);
  const raw = await rawAgent(t, edge);
  await raw.auth(edge.credentials.authtoken);
  const oauth = async (value: object, code: RegExp) =>
    assert.match(
      String((await raw.bind({ Proto: 'http', Opts: { Hostname: 'o.localhost', OAuth: value } })).Error),
      code,
    );
  await oauth({ provider: 'google' }, /^(?=[\s\S]*ERR_OAUTH_MANAGED_APP_UNSUPPORTED)(?=[\s\S]*OAuth\.client_id)/);
  await oauth(
    { provider: 'gitlab', client_id: 'a', client_secret: 'b' },
    /^(?=[\s\S]*ERR_MODULE_NOT_ENFORCED)(?=[\s\S]*gitlab)/,
  );
  assert.equal(edge.registry.httpEndpoint('o.localhost'), undefined);
  for (const [key, value] of [
    ['MutualTLSAtEdge', { mutual_tls_ca: 'AAAA' }],
    ['SomethingNew', { on: true }],
  ] as const) {
    const refused = await raw.bind({ Proto: 'http', Opts: { Hostname: 'secret.localhost', [key]: value } });
    assert.match(String(refused.Error), /ERR_OPTION_UNSUPPORTED/);
    assert.match(String(refused.Error), new RegExp(key));
  }
  assert.equal(edge.registry.httpEndpoint('secret.localhost'), undefined);
  const rewrite = await raw.bind({
    Proto: 'http',
    ForwardsTo: '',
    Opts: { Hostname: 'rewrite.localhost', Auth: '', HostHeaderRewrite: true },
  });
  assert.match(String(rewrite.Error), /ERR_OPTION_UNSUPPORTED/);
  assert.match(String(rewrite.Error), /HostHeaderRewrite/);
  // Null options and the plain defaults bind.
  assert.equal(
    (
      await raw.bind({
        Proto: 'http',
        Opts: { Hostname: 'plain.localhost', Auth: '', HostHeaderRewrite: false, OAuth: null, TrafficPolicy: null },
      })
    ).Error,
    '',
  );
});

test('heartbeat settings are held between 1 s and 5 min: a 1 ms or an overflowing interval does not make the edge flood the agent', async (t) => {
  const edge = await startTestEdge(t);
  for (const nanoseconds of [1e6, 1e19]) {
    const raw = await rawAgent(t, edge);
    assert.equal(
      (await raw.auth(edge.credentials.authtoken, { HeartbeatInterval: nanoseconds, HeartbeatTolerance: nanoseconds }))
        .Error ?? '',
      '',
    );
    await sleep(600);
    // The first beat goes out at once; the next one only after the 1 s minimum.
    assert.ok(
      raw.heartbeatBytes <= 4,
      `${raw.heartbeatBytes} heartbeat bytes in 600 ms for an interval of ${nanoseconds} ns`,
    );
    assert.equal(raw.mux.isClosed, false, 'the session stays up');
    raw.close();
  }
});
