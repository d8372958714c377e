import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { forward } from '../../src/agent/forward.ts';
import { apiClient, otherAccount } from '../support/api.ts';
import { request } from '../support/client.ts';
import { defer } from '../support/defer.ts';
import { startTestEdge } from '../support/edge.ts';
import { freePort, startEchoService, startHttpService } from '../support/services.ts';

const refusedWith =
  (...codes: string[]) =>
  (err: Error & { code?: string }) =>
    codes.some((c) => err.code === c || err.message.includes(c));

test('agents bind reserved names: own wildcard at any depth; other accounts are refused', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const other = await otherAccount(edge);
  const web = await startHttpService(t, (_req, res) => res.end('reserved ok'));
  const common = { serverAddr: edge.serverAddr, caCert: edge.caPem, addr: web.port };

  // Before the reservation, a name outside --domain is refused.
  await assert.rejects(
    forward({ ...common, authtoken: edge.credentials.authtoken, hostname: 'a.b.example.test' }),
    refusedWith('ERR_HOSTNAME_NOT_RESERVED'),
  );

  await ngrok.reservedDomains.create({ domain: '*.example.test', region: 'local' });
  const ours = await forward({ ...common, authtoken: edge.credentials.authtoken, hostname: 'a.b.example.test' });
  defer(t, () => ours.close());
  assert.equal(new URL(ours.url).hostname, 'a.b.example.test');
  const res = await request(ours.url, { ca: edge.caPem });
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'reserved ok');
  // The wildcard itself may be bound by its owner.
  const wild = await forward({ ...common, authtoken: edge.credentials.authtoken, hostname: '*.w.example.test' });
  defer(t, () => wild.close());

  // Another account: neither names under our wildcard nor the wildcard.
  for (const hostname of ['c.example.test', 'x.y.example.test', '*.z.example.test']) {
    await assert.rejects(
      forward({ ...common, authtoken: other.authtoken, hostname }),
      refusedWith('ERR_HOSTNAME_NOT_RESERVED', 'ERR_HOSTNAME_TAKEN'),
      hostname,
    );
  }

  // Under --domain names are free, except one another account reserved.
  await apiClient(edge, other.apiKey).reservedDomains.create({ domain: 'named.localhost', region: 'local' });
  await assert.rejects(
    forward({ ...common, authtoken: edge.credentials.authtoken, hostname: 'named.localhost' }),
    refusedWith('ERR_HOSTNAME_TAKEN'),
  );
  const theirs = await forward({ ...common, authtoken: other.authtoken, hostname: 'named.localhost' });
  defer(t, () => theirs.close());
  const free = await forward({ ...common, authtoken: edge.credentials.authtoken, hostname: 'free.localhost' });
  defer(t, () => free.close());
});

test('agents bind reserved TCP addresses: the owner gets its port, other accounts are refused', async (t) => {
  const edge = await startTestEdge(t);
  const other = await otherAccount(edge);
  const echo = await startEchoService(t);
  const common = { proto: 'tcp' as const, serverAddr: edge.serverAddr, caCert: edge.caPem, addr: echo.port };
  const ra = await apiClient(edge).reservedAddrs.create({ region: 'local' });

  await assert.rejects(
    forward({ ...common, authtoken: other.authtoken, remoteAddr: ra.addr }),
    refusedWith('ERR_NGROK_309'),
  );
  const ours = await forward({ ...common, authtoken: edge.credentials.authtoken, remoteAddr: ra.addr });
  defer(t, () => ours.close());
  assert.equal(new URL(ours.url).port, ra.addr.split(':')[1]);
  const socket = net.connect(Number(ra.addr.split(':')[1]), '127.0.0.1');
  socket.end('ping');
  const echoed = await new Promise<string>((resolve, reject) => {
    let data = '';
    socket
      .on('data', (c: Buffer) => (data += c.toString()))
      .on('end', () => resolve(data))
      .on('error', reject);
  });
  assert.equal(echoed, 'ping');

  // A port the edge gave another account's agent is not ours to ask for.
  const theirs = await forward({ ...common, authtoken: other.authtoken });
  const theirPort = new URL(theirs.url).port;
  await theirs.close();
  await assert.rejects(
    forward({ ...common, authtoken: edge.credentials.authtoken, remoteAddr: `localhost:${theirPort}` }),
    refusedWith('ERR_NGROK_307'),
  );
  // As on ngrok, an explicit address must be reserved by the account, even a free one.
  await assert.rejects(
    forward({ ...common, authtoken: edge.credentials.authtoken, remoteAddr: `localhost:${await freePort()}` }),
    refusedWith('ERR_NGROK_307'),
  );
});
