// Local services close idle keep-alive connections (Node's default is 5 s, kept by Express and
// Next.js) or close after every response. The edge's pooled tunnel streams must follow: no
// request may land on a stream whose service connection is gone.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { apiClient } from '../support/api.ts';
import { request } from '../support/client.ts';
import { httpsEdge, reserve, tunnelGroupBackend } from '../support/edges.ts';
import { forwardTo, startTestEdge, type TestEdge } from '../support/edge.ts';
import { eventually, sleep, startHttpService } from '../support/services.ts';
import { sdkSession } from '../support/sdk.ts';

type Behaviour = { keepAliveMs: number } | 'close-after-response';

/** A service answering its connection number, with the given connection behaviour. */
async function service(t: TestContext, behaviour: Behaviour) {
  let connections = 0;
  const ids = new WeakMap<object, number>();
  const svc = await startHttpService(t, (req, res) => {
    if (!ids.has(req.socket)) ids.set(req.socket, ++connections);
    // Closing without "Connection: close": the edge learns only from the stream ending.
    if (behaviour === 'close-after-response') res.on('finish', () => req.socket.end());
    res.end(`conn ${ids.get(req.socket)} ${req.method} ${req.url}`);
  });
  if (behaviour !== 'close-after-response') svc.server.keepAliveTimeout = behaviour.keepAliveMs;
  return svc;
}

/**
 * The service behind four public URLs: an endpoint of our agent, one of the official SDK, and
 * an HTTPS edge route to a labeled tunnel of each.
 */
async function publicUrls(
  t: TestContext,
  edge: TestEdge,
  svc: { url: string; port: number },
  name: string,
): Promise<Record<string, string>> {
  const ours = await forwardTo(t, edge, { addr: svc.port });
  await forwardTo(t, edge, {
    addr: svc.port,
    labels: { idle: `${name}-ours` },
  });
  const sdk = await sdkSession(t, edge);
  const sdkEndpoint = await sdk.httpEndpoint().listenAndForward(svc.url);
  await sdk.labeledListener().label('idle', `${name}-sdk`).listenAndForward(svc.url);

  const ngrok = apiClient(edge);
  const urls: Record<string, string> = { 'our agent endpoint': ours.url, 'SDK endpoint': sdkEndpoint.url()! };
  for (const agent of ['ours', 'sdk']) {
    const host = `${name}-${agent}.example.com`;
    await reserve(ngrok, host);
    await httpsEdge(
      ngrok,
      [`${host}:443`],
      [{ backendId: await tunnelGroupBackend(ngrok, { idle: `${name}-${agent}` }) }],
    );
    urls[`edge route to ${agent === 'ours' ? 'our agent' : 'the SDK'}`] = `https://${host}:${edge.ports.https}`;
  }
  await edge.snapshots.settled();
  return urls;
}

/** One GET that must answer within 5 s (a request put on a dead stream used to hang forever). */
async function get(edge: TestEdge, url: string): Promise<string> {
  const res = await Promise.race([request(url, { ca: edge.caPem }), sleep(5000).then(() => undefined)]);
  if (!res) return 'hung';
  return res.status === 200 ? 'ok' : `${res.status} ${res.headers['portico-error-code'] ?? ''}`;
}

/** `count` requests to each URL, `gapMs` apart; every URL's sequence runs at the same time. */
async function spaced(
  edge: TestEdge,
  urls: Record<string, string>,
  count: number,
  gapMs: number,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  await Promise.all(
    Object.entries(urls).map(async ([what, url]) => {
      out[what] = [];
      for (let i = 0; i < count; i++) {
        if (i > 0) await sleep(gapMs);
        out[what]!.push(await get(edge, `${url}/${i}`));
      }
    }),
  );
  return out;
}

function allOk(results: Record<string, string[]>, count: number): Record<string, string[]> {
  return Object.fromEntries(Object.keys(results).map((k) => [k, Array<string>(count).fill('ok')]));
}

// Node 20 closes an idle connection 1 s after keepAliveTimeout: the gaps below are past that.

test('a service with a 100 ms keep-alive: requests 1.3 s apart all succeed, our agent and the SDK, endpoints and edge routes', async (t) => {
  const edge = await startTestEdge(t);
  const urls = await publicUrls(t, edge, await service(t, { keepAliveMs: 100 }), 'ka100');
  const results = await spaced(edge, urls, 4, 1300);
  assert.deepEqual(results, allOk(results, 4));
});

test("Node's default 5 s keep-alive: requests 6.5 s apart all succeed (they used to alternate 200 and hang)", async (t) => {
  const edge = await startTestEdge(t);
  const urls = await publicUrls(t, edge, await service(t, { keepAliveMs: 5000 }), 'ka5s');
  const results = await spaced(edge, urls, 3, 6500);
  assert.deepEqual(results, allOk(results, 3));
});

test('a service that closes after every response without "Connection: close": back-to-back and spaced requests succeed', async (t) => {
  const edge = await startTestEdge(t);
  const urls = await publicUrls(t, edge, await service(t, 'close-after-response'), 'close');
  const backToBack = await spaced(edge, urls, 8, 0);
  assert.deepEqual(backToBack, allOk(backToBack, 8));
  const apart = await spaced(edge, urls, 4, 100);
  assert.deepEqual(apart, allOk(apart, 4));
});

test('POSTs with bodies to a service that closes after every response: each is answered, none is lost or sent twice', async (t) => {
  const edge = await startTestEdge(t);
  let requests = 0;
  const svc = await startHttpService(t, (req, res) => {
    requests++;
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      res.on('finish', () => req.socket.end());
      res.end(`got ${bytes}`);
    });
  });
  const ours = await forwardTo(t, edge, { addr: svc.port });
  for (let i = 0; i < 10; i++) {
    const res = await request(`${ours.url}/upload`, { ca: edge.caPem, method: 'POST', body: Buffer.alloc(10_000, 1) });
    assert.equal(res.body.toString(), 'got 10000');
  }
  assert.equal(requests, 10);
});

test('a service that never answers: 504 ERR_NGROK_3008 after the upstream header timeout, and the tunnel keeps serving', async (t) => {
  const edge = await startTestEdge(t, { config: { timeouts: { upstreamHeader: 300 } } });
  const svc = await startHttpService(t, (req, res) => {
    if (req.url === '/slow') return; // never answers
    res.end('fast');
  });
  const ours = await forwardTo(t, edge, { addr: svc.port });
  const slow = await request(`${ours.url}/slow`, { ca: edge.caPem });
  assert.equal(slow.status, 504);
  assert.equal(slow.headers['portico-error-code'], 'ERR_NGROK_3008');
  assert.equal((await request(`${ours.url}/fast`, { ca: edge.caPem })).body.toString(), 'fast');
});

test("the edge lets an idle stream go at the service's Keep-Alive hint: the service's connections close though the service would keep them", async (t) => {
  const edge = await startTestEdge(t);
  const open = new Set<object>();
  const svc = await startHttpService(t, (req, res) => {
    const socket = req.socket;
    if (!open.has(socket)) socket.once('close', () => open.delete(socket));
    open.add(socket);
    res.setHeader('keep-alive', 'timeout=3');
    res.end('ok');
  });
  // The service never closes an idle connection itself: only a stream the edge ends can close one.
  svc.server.keepAliveTimeout = 0;
  const urls = await publicUrls(t, edge, svc, 'hint');
  // Our agent gives each stream a connection to the service of its own, ended with the stream;
  // the SDK keeps its connections to the service apart from the edge's streams.
  const ours = Object.entries(urls).filter(([what]) => what.includes('our agent'));
  assert.equal(ours.length, 2);
  for (const [, url] of ours) assert.equal(await get(edge, url), 'ok');
  assert.ok(open.size > 0);
  await eventually(() => open.size === 0, 15_000, 'every service connection closed');
});
