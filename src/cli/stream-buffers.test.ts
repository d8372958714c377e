import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { bufferStreamsAsNode22, STREAM_BUFFER_BYTES } from './stream-buffers.ts';

test('sockets and streams made afterwards buffer 64 KiB on every runtime; sizes streams set stay theirs', () => {
  bufferStreamsAsNode22();
  const socket = new net.Socket();
  assert.equal(socket.writableHighWaterMark, STREAM_BUFFER_BYTES);
  assert.equal(socket.readableHighWaterMark, STREAM_BUFFER_BYTES);
  assert.equal(new PassThrough({ highWaterMark: 1024 }).writableHighWaterMark, 1024);
  socket.destroy();
});
