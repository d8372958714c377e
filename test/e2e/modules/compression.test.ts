import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import https from 'node:https';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { loopbackLookup, request } from '../../support/client.ts';
import { startTestEdge } from '../../support/edge.ts';
import { routeToAgent } from '../../support/modules.ts';
import { startHttpService } from '../../support/services.ts';

const text = Buffer.from('Portico compresses what the client accepts. '.repeat(200));
const gzipped = zlib.gzipSync(text);
const bigBytes = 100 * 1024 * 1024;

/** Writes `bigBytes` of numbered lines with backpressure; resolves with their SHA-256. */
function streamLines(res: NodeJS.WritableStream): Promise<string> {
  const hash = createHash('sha256');
  let sent = 0;
  let line = 0;
  return new Promise((resolve) => {
    const write = () => {
      while (sent < bigBytes) {
        let chunk = '';
        while (chunk.length < 64 * 1024) chunk += `line ${line++} of a long streamed response\n`;
        const buf = Buffer.from(chunk).subarray(0, Math.min(chunk.length, bigBytes - sent));
        sent += buf.length;
        hash.update(buf);
        if (!res.write(buf)) return void res.once('drain', write);
      }
      res.end();
      resolve(hash.digest('hex'));
    };
    write();
  });
}

test('compression: negotiated gzip or deflate round-trips exactly; identity, encoded, tiny, binary, SSE and HEAD left alone', async (t) => {
  const edge = await startTestEdge(t);
  const service = await startHttpService(t, (req, res) => {
    const type = { '/gz': 'text/plain', '/png': 'image/png', '/events': 'text/event-stream' }[req.url!];
    if (req.url === '/gz') res.setHeader('content-encoding', 'gzip');
    if (req.url === '/small')
      return res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 4 }).end('tiny');
    const body = req.url === '/gz' ? gzipped : text;
    const headers = { 'content-type': type ?? 'text/html; charset=utf-8', 'content-length': body.length };
    res.writeHead(200, { ...headers, vary: 'Origin', etag: '"v1"' }).end(body);
  });
  const route = await routeToAgent(t, edge, 'gz.example.com', service.port);
  await route.ngrok.edgeModules.edgeRouteCompressionModule.replace({ ...route.at, module: { enabled: true } });
  await edge.snapshots.settled();
  const get = (path: string, acceptEncoding?: string, method = 'GET') =>
    request(`${route.url}${path}`, {
      ca: edge.caPem,
      method,
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });

  const plain = await get('/');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.headers['content-length'], String(text.length));
  assert.equal(plain.headers.vary, 'Origin, Accept-Encoding');
  assert.deepEqual(plain.body, text);

  const gz = await get('/', 'deflate, gzip');
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers['content-length'], undefined);
  assert.equal(gz.headers.vary, 'Origin, Accept-Encoding');
  assert.equal(gz.headers.etag, 'W/"v1"');
  assert.ok(gz.body.length < text.length / 10);
  assert.deepEqual(zlib.gunzipSync(gz.body), text);

  const deflated = await get('/', 'gzip;q=0.4, deflate;q=0.9, br');
  assert.equal(deflated.headers['content-encoding'], 'deflate');
  assert.deepEqual(zlib.inflateSync(deflated.body), text);
  assert.equal((await get('/', 'gzip;q=0, deflate')).headers['content-encoding'], 'deflate');
  const refused = await get('/', 'gzip;q=0, br');
  assert.equal(refused.headers['content-encoding'], undefined);
  assert.deepEqual(refused.body, text);

  // Already gzipped by the service: passed through, not compressed twice.
  const once = await get('/gz', 'gzip');
  assert.equal(once.headers['content-encoding'], 'gzip');
  assert.deepEqual(once.body, gzipped);

  for (const path of ['/small', '/png', '/events']) {
    const res = await get(path, 'gzip');
    assert.equal(res.headers['content-encoding'], undefined, path);
  }
  const head = await get('/', 'gzip', 'HEAD');
  assert.equal(head.headers['content-encoding'], undefined);
  assert.equal(head.headers['content-length'], String(text.length));
});

test('compression streams a 100 MiB response with bounded edge memory', async (t) => {
  const edge = await startTestEdge(t);
  let sent: Promise<string> | undefined;
  const service = await startHttpService(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    sent = streamLines(res);
  });
  const route = await routeToAgent(t, edge, 'big-gz.example.com', service.port);
  await route.ngrok.edgeModules.edgeRouteCompressionModule.replace({ ...route.at, module: {} });
  await edge.snapshots.settled();

  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  t.after(() => clearInterval(sampler));
  const received = await new Promise<{ encoding: unknown; bytes: number; sha256: string }>((resolve, reject) => {
    const req = https.get(
      `${route.url}/big`,
      { ca: edge.caPem, lookup: loopbackLookup, headers: { 'accept-encoding': 'gzip' } },
      (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        const gunzip = res.pipe(zlib.createGunzip());
        gunzip.on('data', (c: Buffer) => {
          bytes += c.length;
          hash.update(c);
        });
        gunzip.on('end', () =>
          resolve({ encoding: res.headers['content-encoding'], bytes, sha256: hash.digest('hex') }),
        );
        gunzip.on('error', reject);
      },
    );
    req.on('error', reject);
  });
  clearInterval(sampler);
  assert.equal(received.encoding, 'gzip');
  assert.equal(received.bytes, bigBytes);
  assert.equal(received.sha256, await sent);
  const growthMiB = (peak - before) / 1024 / 1024;
  assert.ok(growthMiB < 200, `rss grew ${growthMiB.toFixed(0)} MiB`);
});
