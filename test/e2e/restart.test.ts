import { defer } from '../support/defer.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ngrok from '@ngrok/ngrok';
import { forward } from '../../src/agent/forward.ts';
import { request } from '../support/client.ts';
import { startTestEdge, tempDir } from '../support/edge.ts';
import { echoOnce, eventually, startEchoService, startHttpService } from '../support/services.ts';

test('edge restart: agents reconnect, URLs and random TCP addresses keep working, accounts, tokens and CA survive', async (t) => {
  const dataDir = await tempDir(t);
  const first = await startTestEdge(t, { dataDir });
  const ports = { ...first.ports };
  const web = await startHttpService(t, (_req, res) => res.end('web ok'));
  const echo = await startEchoService(t);

  const ours = await forward({
    addr: web.port,
    serverAddr: first.serverAddr,
    caCert: first.caPem,
    authtoken: first.credentials.authtoken,
  });
  defer(t, () => ours.close());
  const oursTcp = await forward({
    proto: 'tcp',
    addr: echo.port,
    serverAddr: first.serverAddr,
    caCert: first.caPem,
    authtoken: first.credentials.authtoken,
  });
  defer(t, () => oursTcp.close());
  const sdk = await new ngrok.SessionBuilder()
    .serverAddr(first.serverAddr)
    .caCert(Buffer.from(first.caPem))
    .authtoken(first.credentials.authtoken)
    .connect();
  defer(t, () => sdk.close().catch(() => {}));
  const sdkListener = await sdk.httpEndpoint().listenAndForward(web.url);
  // A random TCP address comes back too: the tunnel id the agents replay proves it was theirs.
  const sdkTcp = await sdk.tcpEndpoint().listenAndForward(`tcp://127.0.0.1:${echo.port}`);
  const sdkTcpPort = Number(new URL(sdkTcp.url()!).port);

  const tcpPort = Number(new URL(oursTcp.url).port);
  assert.equal(await echoOnce(tcpPort, 'before'), 'before');

  await first.close();
  const second = await startTestEdge(t, { dataDir, ports });
  assert.equal(second.caPem, first.caPem, 'the local CA survives');
  assert.equal(second.credentials.authtoken, first.credentials.authtoken, 'the bootstrap credentials are reused');
  assert.equal(second.credentials.apiKey, first.credentials.apiKey);

  await eventually(() => second.registry.tunnels.size === 4, 15_000, 'all agents to rebind');
  for (const url of [ours.url, sdkListener.url()!]) {
    const res = await request(url, { ca: second.caPem });
    assert.equal(res.status, 200, url);
    assert.equal(res.body.toString(), 'web ok');
  }
  assert.equal(await echoOnce(tcpPort, 'after'), 'after');
  assert.equal(await echoOnce(sdkTcpPort, 'sdk after'), 'sdk after');
});
