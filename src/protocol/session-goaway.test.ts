import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Flag, FrameType, MuxErrorCode } from './frame.ts';
import { MuxSession } from './session.ts';
import type { MuxCloseInfo } from './session.ts';
import { closeOf, nextStream, rawFrame, sessionPair, socketPair, u32, within } from '../../test/support/mux-pair.ts';

test('server GOAWAY: both sides close once, streams fail, no new streams', async (t) => {
  const { client, server } = await sessionPair(t);
  const accepted = nextStream(server);
  const local = client.openStream(1);
  const remote = await within(accepted, 5000, 'stream');
  const localError = once(local, 'error');
  const remoteError = once(remote, 'error');
  let clientCloses = 0;
  client.on('close', () => clientCloses++);
  const clientClosed = closeOf(client);
  const serverClosed = closeOf(server);

  server.goAway(MuxErrorCode.ENHANCE_YOUR_CALM, 'draining this node');
  assert.equal(server.isClosed, true);
  assert.throws(() => server.openStream(1), { code: 'ERR_MUX_SESSION_CLOSED' });
  assert.deepEqual(await within(serverClosed, 5000, 'server close'), {
    remote: false,
    code: MuxErrorCode.ENHANCE_YOUR_CALM,
    message: 'draining this node',
  });
  assert.deepEqual(await within(clientClosed, 5000, 'client close'), {
    remote: true,
    code: MuxErrorCode.ENHANCE_YOUR_CALM,
    message: 'draining this node',
  });
  assert.equal(((await localError)[0] as { code: string }).code, 'ERR_MUX_SESSION_CLOSED');
  assert.equal(((await remoteError)[0] as { code: string }).code, 'ERR_MUX_SESSION_CLOSED');
  assert.throws(() => client.openStream(1), { code: 'ERR_MUX_SESSION_CLOSED' });
  await sleep(20);
  assert.equal(clientCloses, 1);
});

test('client close(): the server sees GOAWAY NONE', async (t) => {
  const { client, server } = await sessionPair(t);
  const serverClosed = closeOf(server);
  client.close();
  assert.deepEqual(await within(serverClosed, 5000, 'server close'), {
    remote: true,
    code: MuxErrorCode.NONE,
    message: '',
  });
});

test('GOAWAY from a Rust agent (length 8 short) ends the session with its code and message', async (t) => {
  const { client: raw, server: socket } = await socketPair(t);
  raw.on('error', () => {});
  const server = new MuxSession(socket, { role: 'server' });
  const closed = closeOf(server);
  const message = Buffer.from('agent shutting down');
  const payload = Buffer.concat([u32(3), u32(MuxErrorCode.NONE), message]);
  raw.write(
    Buffer.concat([rawFrame(FrameType.GOAWAY, 0, 0, payload, message.length), Buffer.from('trailing junk is ignored')]),
  );
  assert.deepEqual(await within(closed, 5000, 'close'), {
    remote: true,
    code: MuxErrorCode.NONE,
    message: 'agent shutting down',
  });
  await within(once(raw, 'end'), 5000, 'socket end');

  // Only the header, as a short length with nothing after it would look.
  const pair = await socketPair(t);
  const bare = new MuxSession(pair.server, { role: 'server' });
  const bareClosed = closeOf(bare);
  pair.client.write(rawFrame(FrameType.GOAWAY, 0, 0, Buffer.alloc(0)));
  const info: MuxCloseInfo = await within(bareClosed, 5000, 'close');
  assert.equal(info.remote, true);
  assert.equal(info.error, undefined);
});

test('our GOAWAY: length 8 + message, last stream id = highest peer stream', async (t) => {
  const { client: raw, server: socket } = await socketPair(t);
  const server = new MuxSession(socket, { role: 'server' });
  server.on('stream', () => {});
  const received: Buffer[] = [];
  raw.on('data', (d: Buffer) => received.push(d));
  raw.write(rawFrame(FrameType.DATA, Flag.SYN, 3, u32(1)));
  raw.write(rawFrame(FrameType.DATA, Flag.SYN, 7, u32(1)));
  while (server.activeStreams < 2) await sleep(5);
  server.goAway(MuxErrorCode.INTERNAL, 'bye');
  await within(once(raw, 'end'), 5000, 'socket end');
  const bytes = Buffer.concat(received);
  assert.equal(bytes.length, 19);
  assert.equal(bytes.readUIntBE(0, 3), 11);
  assert.equal(bytes[3], FrameType.GOAWAY << 4);
  assert.equal(bytes.readUInt32BE(4), 0);
  assert.equal(bytes.readUInt32BE(8), 7);
  assert.equal(bytes.readUInt32BE(12), MuxErrorCode.INTERNAL);
  assert.equal(bytes.subarray(16).toString(), 'bye');
});

test('a vanished peer closes the session once, remotely', async (t) => {
  const { client, server, clientSocket } = await sessionPair(t);
  let closes = 0;
  server.on('close', () => closes++);
  const closed = closeOf(server);
  clientSocket.destroy();
  const info = await within(closed, 5000, 'close');
  assert.equal(info.remote, true);
  assert.equal(info.code, MuxErrorCode.PEER_EOF);
  server.destroy();
  server.close();
  await sleep(20);
  assert.equal(closes, 1);
  assert.equal(client.isClosed, true);
});
