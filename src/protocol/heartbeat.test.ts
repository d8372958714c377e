import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { echoHeartbeats, startHeartbeat } from './heartbeat.ts';
import { StreamType } from './messages.ts';
import { sessionPair, within } from '../../test/support/mux-pair.ts';

test('heartbeat: beats are echoed and measured', async (t) => {
  const { client, server } = await sessionPair(t);
  server.on('stream', (stream) => {
    assert.equal(stream.type, StreamType.Heartbeat);
    echoHeartbeats(stream);
  });
  const latencies: number[] = [];
  let timeouts = 0;
  const beat = startHeartbeat(client, {
    intervalMs: 20,
    toleranceMs: 1000,
    onBeat: (ms) => latencies.push(ms),
    onTimeout: () => timeouts++,
  });
  t.after(() => beat.stop());
  await within(
    (async () => {
      while (latencies.length < 3) await sleep(5);
    })(),
    5000,
    'three echoes',
  );
  assert.ok(latencies.every((ms) => ms >= 0));
  assert.equal(timeouts, 0);
  beat.stop();
  const count = latencies.length;
  await sleep(60);
  assert.equal(latencies.length, count, 'no beats after stop()');
});

test('heartbeat: no echo within interval + tolerance calls onTimeout once', async (t) => {
  const { client, server } = await sessionPair(t);
  server.on('stream', (stream) => stream.resume());
  let timeouts = 0;
  let beats = 0;
  startHeartbeat(client, { intervalMs: 20, toleranceMs: 30, onBeat: () => beats++, onTimeout: () => timeouts++ });
  await within(
    (async () => {
      while (timeouts === 0) await sleep(5);
    })(),
    5000,
    'timeout',
  );
  await sleep(150);
  assert.equal(timeouts, 1);
  assert.equal(beats, 0);
});

test('heartbeat: stops when the session closes', async (t) => {
  const { client, server } = await sessionPair(t);
  server.on('stream', (stream) => stream.resume());
  let timeouts = 0;
  startHeartbeat(client, { intervalMs: 20, toleranceMs: 20, onTimeout: () => timeouts++ });
  client.destroy();
  await sleep(120);
  assert.equal(timeouts, 0);
});
