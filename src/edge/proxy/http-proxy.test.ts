import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import type { Fields, Logger } from '../../log/logger.ts';
import type { TunnelRegistry } from '../tunnels/registry.ts';
import { createHttpProxy } from './http-proxy.ts';
import { StreamPools } from './stream-pools.ts';

/** A logger keeping its error lines. */
function errorLines(): { logger: Logger; lines: Array<[string, Fields | undefined]> } {
  const lines: Array<[string, Fields | undefined]> = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn() {},
    error: (msg, fields) => void lines.push([msg, fields]),
    child: () => logger,
  };
  return { logger, lines };
}

test('a defect while handling a request or an upgrade answers 500 ERR_EDGE_INTERNAL, is logged, and the edge carries on', async (t) => {
  const { logger, lines } = errorLines();
  const proxy = createHttpProxy({
    registry: { httpEndpoint: () => undefined } as unknown as TunnelRegistry,
    // Stands in for any defect on the way: the first thing a request on the HTTPS side reads.
    snapshot: () => {
      throw new Error('boom');
    },
    streamPools: new StreamPools(),
    scheme: 'https',
    httpsPort: () => 443,
    hopId: 'e1',
    logger,
  });
  const server = http.createServer(proxy.request);
  server.on('upgrade', proxy.upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as net.AddressInfo;

  for (let i = 0; i < 2; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/x`, { headers: { host: 'app.example.com' } });
    assert.equal(res.status, 500);
    assert.equal(res.headers.get('portico-error-code'), 'ERR_EDGE_INTERNAL');
    assert.match(await res.text(), /ERR_EDGE_INTERNAL/);
  }
  const upgrade = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write(
        'GET /ws HTTP/1.1\r\nHost: app.example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      ),
    );
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(upgrade, /^HTTP\/1\.1 500 /);
  assert.match(upgrade, /portico-error-code: ERR_EDGE_INTERNAL/i);
  assert.equal(lines.length, 3);
  for (const [msg, fields] of lines) {
    assert.equal(msg, 'request failed');
    assert.match(String(fields?.requestId), /\S/);
    assert.equal((fields?.err as Error).message, 'boom');
  }
});
