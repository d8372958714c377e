// SIGTERM drains: the edge stops accepting, lets the requests and downloads in flight finish,
// then exits; a second signal exits at once.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import ngrok from '@ngrok/ngrok';
import { forward } from '../../../src/agent/forward.ts';
import { request, requestDigest } from '../../support/client.ts';
import { defer } from '../../support/defer.ts';
import { tempDir } from '../../support/edge.ts';
import { spawnEdge, type EdgeProcess } from '../../support/edge-process.ts';
import { eventually, sleep, startHttpService } from '../../support/services.ts';

const MiB = 1024 * 1024;
const block = randomBytes(MiB);

/** `/slow` answers after 2 s; `/big` streams `bigMiB` MiB of a repeated block. */
async function service(t: TestContext, bigMiB: number) {
  const started = { slow: 0, big: 0 };
  const svc = await startHttpService(t, (req, res) => {
    if (req.url === '/slow') {
      started.slow++;
      return void setTimeout(() => res.end('slow done'), 2000);
    }
    started.big++;
    res.writeHead(200, { 'content-length': bigMiB * MiB });
    let sent = 0;
    const more = () => {
      while (sent < bigMiB) {
        sent++;
        if (!res.write(block)) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  });
  return { ...svc, started };
}

function expectedDigest(mib: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < mib; i++) hash.update(block);
  return hash.digest('hex');
}

async function agents(t: TestContext, edge: EdgeProcess, port: number) {
  const ours = await forward({
    addr: port,
    serverAddr: edge.bootstrap.agent_addr,
    caCert: edge.caPem,
    authtoken: edge.bootstrap.authtoken,
  });
  defer(t, () => ours.close());
  const sdk = await new ngrok.SessionBuilder()
    .serverAddr(edge.bootstrap.agent_addr)
    .caCert(Buffer.from(edge.caPem))
    .authtoken(edge.bootstrap.authtoken)
    .connect();
  defer(t, () => Promise.race([sdk.close().catch(() => {}), sleep(2000)]));
  const sdkListener = await sdk.httpEndpoint().listenAndForward(`http://127.0.0.1:${port}`);
  return [ours.url, sdkListener.url()!];
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('SIGTERM with 30 slow requests and three 300 MiB downloads in flight: all complete, new connections are refused, exit 0', async (t) => {
  // 900 MiB through the tunnel on a busy 2-core machine can take longer than the default 30 s:
  // the drain must wait for it, which is what this shows, so the bound is set well above.
  const edge = await spawnEdge(t, await tempDir(t), { flags: ['--drain-timeout', '180s'] });
  const svc = await service(t, 300);
  const urls = await agents(t, edge, svc.port);
  const slow = Array.from({ length: 30 }, (_, i) =>
    request(`${urls[i % 2]}/slow`, { ca: edge.caPem }).then(
      (r) => `${r.status} ${r.body}`,
      (e: Error) => e.message,
    ),
  );
  const big = [0, 1, 0].map((i) =>
    requestDigest(`${urls[i]}/big`, { ca: edge.caPem }).then(
      (r) => ({ status: r.status, bytes: r.bytes, sha256: r.sha256 }),
      (e: Error) => ({ error: e.message }),
    ),
  );
  await eventually(
    () => svc.started.slow === 30 && svc.started.big === 3,
    15_000,
    'every request to reach the service',
  );

  edge.child.kill('SIGTERM');
  await eventually(() => refused(edge.ports.https), 5000, 'the HTTPS port to stop accepting');
  assert.ok(await refused(edge.ports.http), 'the HTTP port stops accepting');

  assert.deepEqual(await Promise.all(slow), Array(30).fill('200 slow done'));
  const digest = expectedDigest(300);
  assert.deepEqual(await Promise.all(big), Array(3).fill({ status: 200, bytes: 300 * MiB, sha256: digest }));
  assert.equal(await edge.exited, 0, edge.output());
  assert.match(edge.output(), /draining/);
});

test('a second signal exits at once; --drain-timeout bounds the wait', async (t) => {
  const svc = await service(t, 1);
  const first = await spawnEdge(t, await tempDir(t));
  const [url] = await agents(t, first, svc.port);
  const inFlight = request(`${url}/slow`, { ca: first.caPem }).then(
    (r) => `${r.status} ${r.headers['portico-error-code']}`,
    () => 'cut',
  );
  await eventually(() => svc.started.slow === 1, 10_000, 'the request to reach the service');
  first.child.kill('SIGTERM');
  await sleep(200);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 1);
  assert.equal(await inFlight, 'cut', 'the first edge exited under the request');

  const second = await spawnEdge(t, await tempDir(t), { flags: ['--drain-timeout', '500ms'] });
  const [url2] = await agents(t, second, svc.port);
  const agent = new http.Agent();
  defer(t, () => agent.destroy());
  const late = request(`${url2}/slow`, { ca: second.caPem }).then(
    (r) => `${r.status} ${r.headers['portico-error-code']}`,
    () => 'cut',
  );
  await eventually(() => svc.started.slow === 2, 10_000, 'the second request to reach the service');
  const signalledAt = Date.now();
  second.child.kill('SIGTERM');
  assert.equal(await second.exited, 0);
  assert.ok(Date.now() - signalledAt < 1900, 'the edge left before the 2 s request finished');
  // Past the deadline the agents are let go: the request ends with the agent-gone page or a cut.
  assert.match(await late, /^(cut|502 ERR_EDGE_AGENT_GONE)$/);
});
