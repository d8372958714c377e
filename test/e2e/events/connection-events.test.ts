// tcp_connection_closed.v0: connections to agent TCP and TLS endpoints and to TCP and TLS
// edges, each reported with the endpoint id /endpoints lists and the fields a source selects.
import assert from 'node:assert/strict';
import type net from 'node:net';
import tls from 'node:tls';
import { test, type TestContext } from 'node:test';
import type { Ngrok } from '@ngrok/ngrok-api';
import { issueLeafCertificate, loadOrCreateLocalCa } from '../../../src/edge/tls/local-ca.ts';
import { apiClient } from '../../support/api.ts';
import { defer } from '../../support/defer.ts';
import { forwardTo, startTestEdge, tempDir, type TestEdge } from '../../support/edge.ts';
import { tunnelGroupBackend } from '../../support/edges.ts';
import { echoOnce, startEchoService } from '../../support/services.ts';
import { eventsAtLeast, startReceiver } from './receiver.ts';

type Loose = Parameters<Ngrok['eventDestinations']['create']>[0];

/** A TLS echo service on 127.0.0.1 for `hostnames`, with its own CA (the edge never sees its key). */
async function tlsEcho(t: TestContext, hostnames: string[]): Promise<{ port: number; caPem: string }> {
  const ca = await loadOrCreateLocalCa(await tempDir(t));
  const leaf = await issueLeafCertificate(ca, { dnsNames: hostnames });
  const service = tls.createServer({ cert: leaf.certPem, key: leaf.keyPem }, (s) => {
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  defer(t, () => new Promise<void>((r) => service.close(() => r())));
  return { port: (service.address() as net.AddressInfo).port, caPem: ca.certPem };
}

/** Sends `text` over TLS to `servername` through the edge's HTTPS port; resolves with the echo once closed. */
async function echoTls(edge: TestEdge, servername: string, caPem: string, text: string): Promise<string> {
  const client = tls.connect({ host: '127.0.0.1', port: edge.ports.https, servername, ca: caPem });
  const chunks: Buffer[] = [];
  client.on('data', (c: Buffer) => {
    chunks.push(c);
    if (Buffer.concat(chunks).length >= Buffer.byteLength(text)) client.end();
  });
  await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
  client.write(text);
  await new Promise((r) => client.once('close', r));
  return Buffer.concat(chunks).toString();
}

/** Subscribes a signed HTTP destination at `url` to tcp_connection_closed.v0 with `fields`. */
async function subscribe(edge: TestEdge, url: string, fields: string[]): Promise<void> {
  const ngrok = apiClient(edge);
  const destination = await ngrok.eventDestinations.create({
    format: 'json',
    target: { http: { url, secret: 'tcp-events-secret-0123' } },
  } as unknown as Loose);
  await ngrok.eventSubscriptions.create({
    sources: [{ type: 'tcp_connection_closed.v0', fields }] as never,
    destinationIds: [destination.id],
  });
  await Promise.all([edge.snapshots.settled(), edge.events.settled()]);
}

const tlsFields = ['endpoint.id', 'edge.id', 'backend.id', 'tunnel.id', 'tunnel.session.id', 'conn.bytes_in'];

test('tcp_connection_closed.v0: bytes, duration and client of a closed TCP endpoint connection', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  const echo = await startEchoService(t);
  const tunnel = await forwardTo(t, edge, {
    proto: 'tcp',
    addr: echo.port,
  });
  await subscribe(edge, receiver.url, [
    'conn.bytes_in',
    'conn.bytes_out',
    'conn.client_ip',
    'conn.client_port',
    'conn.server_port',
    'conn.duration_ms',
    'endpoint.id',
    'tunnel.id',
  ]);
  const port = Number(new URL(tunnel.url).port);
  assert.equal(await echoOnce(port, 'hello events'), 'hello events');

  const [event] = await eventsAtLeast(receiver, 1);
  assert.equal(event!.event_type, 'tcp_connection_closed.v0');
  const conn = event!.object.conn as Record<string, unknown>;
  assert.deepEqual(Object.keys(event!.object).sort(), ['conn', 'endpoint', 'tunnel']);
  const [listed] = await ngrok.endpoints.list();
  assert.deepEqual(event!.object.endpoint, { id: listed!.id }, 'the endpoint as /endpoints lists it');
  assert.deepEqual(event!.object.tunnel, { id: tunnel.id });
  assert.deepEqual(Object.keys(conn).sort(), [
    'bytes_in',
    'bytes_out',
    'client_ip',
    'client_port',
    'duration_ms',
    'server_port',
  ]);
  assert.equal(conn.server_port, port, 'read as the connection opened: a closed socket no longer has it');
  assert.equal(typeof conn.client_port, 'number');
  assert.equal(conn.bytes_in, Buffer.byteLength('hello events'));
  assert.equal(conn.bytes_out, Buffer.byteLength('hello events'));
  assert.equal(conn.client_ip, '127.0.0.1');
  assert.equal(typeof conn.duration_ms, 'number');
});

test('tcp_connection_closed.v0 from a TCP edge names the edge and its backend', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  const echo = await startEchoService(t);
  const backendId = await tunnelGroupBackend(ngrok, { svc: 'tcp-events' });
  const tcpEdge = await ngrok.edges.edgesTcp.create({ backend: { backendId } });
  await forwardTo(t, edge, {
    addr: `tcp://127.0.0.1:${echo.port}`,
    proto: 'tcp',
    labels: { svc: 'tcp-events' },
  });
  await subscribe(edge, receiver.url, ['edge.id', 'backend.id', 'conn.bytes_in', 'endpoint.id']);
  const port = Number(tcpEdge.hostports![0]!.split(':')[1]);
  assert.equal(await echoOnce(port, 'through the edge'), 'through the edge');

  const [event] = await eventsAtLeast(receiver, 1);
  const [listed] = await ngrok.endpoints.list();
  assert.deepEqual(event!.object, {
    edge: { id: tcpEdge.id },
    backend: { id: backendId },
    endpoint: { id: listed!.id },
    conn: { bytes_in: Buffer.byteLength('through the edge') },
  });
});

test('tcp_connection_closed.v0: a TLS endpoint connection passed through by SNI', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  const hostname = 'tls-events.localhost';
  const service = await tlsEcho(t, [hostname]);
  const tunnel = await forwardTo(t, edge, { proto: 'tls', addr: service.port, hostname });
  await subscribe(edge, receiver.url, tlsFields);

  assert.equal(await echoTls(edge, hostname, service.caPem, 'through sni'), 'through sni');
  const [event] = await eventsAtLeast(receiver, 1);
  assert.equal(event!.event_type, 'tcp_connection_closed.v0');
  const [listed] = await ngrok.endpoints.list();
  const session = (await ngrok.tunnels.get(tunnel.id)).tunnelSession.id;
  const { conn, ...ids } = event!.object as { conn: { bytes_in: number } };
  assert.deepEqual(ids, { endpoint: { id: listed!.id }, tunnel: { id: tunnel.id, session: { id: session } } });
  assert.ok(conn.bytes_in > Buffer.byteLength('through sni'), 'the handshake and the record, as they crossed the wire');
});

test('tcp_connection_closed.v0: a TLS edge passing connections through to its backend names the edge', async (t) => {
  const edge = await startTestEdge(t);
  const ngrok = apiClient(edge);
  const receiver = await startReceiver(t);
  // A wildcard hostport: the event names the endpoint of the hostport that matched.
  const hostname = 'db.tls-edge.example.test';
  const service = await tlsEcho(t, [hostname]);
  await ngrok.reservedDomains.create({ domain: '*.tls-edge.example.test', region: 'local' });
  const backendId = await tunnelGroupBackend(ngrok, { svc: 'tls-events' });
  const tlsEdge = await ngrok.edges.edgesTls.create({
    hostports: ['*.tls-edge.example.test:443'],
    backend: { backendId },
    tlsTermination: { terminateAt: 'upstream' },
  });
  await forwardTo(t, edge, {
    addr: `tcp://127.0.0.1:${service.port}`,
    proto: 'tcp',
    labels: { svc: 'tls-events' },
  });
  await subscribe(edge, receiver.url, tlsFields);

  assert.equal(await echoTls(edge, hostname, service.caPem, 'through the edge'), 'through the edge');
  const [event] = await eventsAtLeast(receiver, 1);
  const listed = (await ngrok.endpoints.list()).find((e) => e.edge?.id === tlsEdge.id)!;
  const { conn, ...ids } = event!.object as { conn: { bytes_in: number } };
  assert.deepEqual(ids, { endpoint: { id: listed.id }, edge: { id: tlsEdge.id }, backend: { id: backendId } });
  assert.ok(conn.bytes_in > 0);
});
