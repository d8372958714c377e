import assert from 'node:assert/strict';
import { test } from 'node:test';
import { request } from '../../support/client.ts';
import { startTestEdge } from '../../support/edge.ts';
import { routeToAgent } from '../../support/modules.ts';
import { sleep, startHttpService } from '../../support/services.ts';

test('circuit_breaker: opens past the error threshold, answers 503 while open, probes after the tripped duration', async (t) => {
  const edge = await startTestEdge(t);
  let status = 200;
  let served = 0;
  const service = await startHttpService(t, (_req, res) => {
    served++;
    res.writeHead(status).end(`status ${status}`);
  });
  const route = await routeToAgent(t, edge, 'cb.example.com', service.port);
  await route.ngrok.edgeModules.edgeRouteCircuitBreakerModule.replace({
    ...route.at,
    module: {
      trippedDuration: 1,
      rollingWindow: 10,
      numBuckets: 10,
      volumeThreshold: 10,
      errorThresholdPercentage: 0.5,
    },
  });
  await edge.snapshots.settled();
  const get = async () => {
    const res = await request(`${route.url}/`, { ca: edge.caPem });
    return { status: res.status, code: res.headers['ngrok-error-code'] };
  };

  for (let i = 0; i < 5; i++) assert.equal((await get()).status, 200);
  status = 500;
  // 5 failures of 10 is 50 %, not above the threshold; the 6th of 11 is.
  for (let i = 0; i < 6; i++) assert.equal((await get()).status, 500, `failure ${i + 1} reaches the service`);
  assert.equal(served, 11);
  for (let i = 0; i < 3; i++) assert.deepEqual(await get(), { status: 503, code: 'ERR_NGROK_3202' });
  assert.equal(served, 11, 'an open circuit keeps requests from the service');

  // Half open: the one probe fails, so the circuit opens again at once.
  await sleep(1100);
  assert.equal((await get()).status, 500);
  assert.deepEqual(await get(), { status: 503, code: 'ERR_NGROK_3202' });
  assert.equal(served, 12);

  // The service recovers: the next probe closes the circuit.
  status = 200;
  await sleep(1100);
  for (let i = 0; i < 5; i++) assert.deepEqual(await get(), { status: 200, code: undefined });
  assert.equal(served, 17);
});

test('circuit_breaker counts the edge’s own 5xx pages: a backend that cannot serve trips it', async (t) => {
  const edge = await startTestEdge(t);
  const service = await startHttpService(t, (_req, res) => res.end('ok'));
  const route = await routeToAgent(t, edge, 'cb-down.example.com', service.port);
  await route.ngrok.edgeModules.edgeRouteCircuitBreakerModule.replace({
    ...route.at,
    module: {
      trippedDuration: 60,
      rollingWindow: 10,
      numBuckets: 10,
      volumeThreshold: 3,
      errorThresholdPercentage: 0.5,
    },
  });
  await edge.snapshots.settled();
  assert.equal((await request(`${route.url}/`, { ca: edge.caPem })).status, 200);
  service.server.closeAllConnections();
  await new Promise((r) => service.server.close(r));
  // The group's only tunnel cannot reach its service: the edge answers 503 ERR_NGROK_724 itself.
  const codes: unknown[] = [];
  for (let i = 0; i < 4; i++)
    codes.push((await request(`${route.url}/`, { ca: edge.caPem })).headers['ngrok-error-code']);
  // With the first success, 2 failures of 3 requests open the circuit.
  assert.deepEqual(codes, ['ERR_NGROK_724', 'ERR_NGROK_724', 'ERR_NGROK_3202', 'ERR_NGROK_3202']);
});
