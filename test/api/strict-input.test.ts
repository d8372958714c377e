import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { apiFetch } from '../support/api.ts';
import { startTestEdge, type TestEdge } from '../support/edge.ts';

/** Sends raw bytes to the API port and returns status and JSON body of the answer. */
async function rawRequest(edge: TestEdge, head: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const auth = `Authorization: Bearer ${edge.credentials.apiKey}\r\nNgrok-Version: 2\r\n`;
  const text = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(edge.ports.api, '127.0.0.1');
    let out = '';
    socket
      .on('data', (d: Buffer) => (out += d.toString()))
      .on('close', () => resolve(out))
      .on('error', reject);
    // Written without a FIN: the server answers, then closes (Connection: close).
    socket.write(`${head}\r\nHost: 127.0.0.1\r\n${auth}Connection: close\r\n\r\n`);
  });
  const [statusLine = '', ...rest] = text.split('\r\n');
  return {
    status: Number(statusLine.split(' ')[1]),
    body: JSON.parse(rest.join('\r\n').split('\r\n\r\n')[1] ?? 'null') as Record<string, unknown>,
  };
}

function assertEnvelope(res: { status: number; body: Record<string, unknown> }, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.status_code, status);
  assert.equal(res.body.error_code, code);
  assert.equal(typeof res.body.msg, 'string');
  assert.match(String((res.body.details as Record<string, string>).operation_id), /^op_/);
}

test("requests the framework refuses still get the API's error envelope", async (t) => {
  const edge = await startTestEdge(t);
  assertEnvelope(await rawRequest(edge, 'GET /reserved_domains/%E0%A4%A HTTP/1.1'), 400, 'ERR_API_BAD_URL');
  assertEnvelope(
    await rawRequest(edge, `GET /reserved_domains/rd_${'a'.repeat(200)} HTTP/1.1`),
    414,
    'ERR_API_URI_TOO_LONG',
  );
  assertEnvelope(
    await rawRequest(edge, `GET /reserved_domains/${'a'.repeat(20_000)} HTTP/1.1`),
    431,
    'ERR_API_HEADERS_TOO_LARGE',
  );
  assertEnvelope(
    await rawRequest(edge, `GET /reserved_domains HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}`),
    431,
    'ERR_API_HEADERS_TOO_LARGE',
  );
  assertEnvelope(await rawRequest(edge, 'FOO /reserved_domains HTTP/1.1'), 400, 'ERR_API_MALFORMED_REQUEST');
  // A method the router does not serve on a path: the envelope's 404.
  const put = await rawRequest(edge, 'PUT /reserved_domains HTTP/1.1');
  assert.equal(put.status, 404);
  assert.equal(put.body.status_code, 404);
});

test('IP policy rules refuse CIDRs with leading zeros, other number forms and zone ids', async (t) => {
  const edge = await startTestEdge(t);
  const policy = await apiFetch(edge, 'POST', '/ip_policies', {});
  const create = (cidr: string) =>
    apiFetch(edge, 'POST', '/ip_policy_rules', { ip_policy_id: policy.body.id, cidr, action: 'deny' });
  for (const cidr of [
    '010.0.0.0/8',
    '10.0.0.01/32',
    '10.0.0.0/08',
    '0x0a.0.0.0/8',
    '167772160/8',
    '10.1/16',
    'fe80::1%eth0/64',
    'fe80::1%eth0',
    '::ffff:010.0.0.1/128',
    '10.0.0.0/8/8',
  ]) {
    const res = await create(cidr);
    assert.equal(res.status, 400, cidr);
    assert.equal(res.body.error_code, 'ERR_NGROK_1410', cidr);
  }
  for (const [cidr, stored] of [
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['fe80::1/64', 'fe80::/64'],
    ['::ffff:10.0.0.1/128', '::ffff:a00:1/128'],
    ['192.168.1.7', '192.168.1.7/32'],
  ]) {
    const res = await create(cidr!);
    assert.equal(res.status, 201, `${cidr}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.cidr, stored);
  }
});

test('tls_termination.min_version takes only the documented versions (or null/absent for the default)', async (t) => {
  const edge = await startTestEdge(t);
  const https = await apiFetch(edge, 'POST', '/edges/https', {});
  for (const body of [{ min_version: '' }, { min_version: '1.4' }, { min_version: 'TLS1.2' }]) {
    const res = await apiFetch(edge, 'PUT', `/edges/https/${https.body.id}/tls_termination`, body);
    assert.equal(res.body.error_code, 'ERR_NGROK_219', JSON.stringify(body));
  }
  assert.equal(
    (await apiFetch(edge, 'PUT', `/edges/https/${https.body.id}/tls_termination`, { min_version: null })).body
      .min_version,
    '1.2',
  );
  const tls = await apiFetch(edge, 'POST', '/edges/tls', {});
  const upstream = await apiFetch(edge, 'PUT', `/edges/tls/${tls.body.id}/tls_termination`, {
    terminate_at: 'upstream',
    min_version: '',
  });
  assert.equal(upstream.body.error_code, 'ERR_NGROK_219');
  assert.equal(
    (await apiFetch(edge, 'PUT', `/edges/tls/${tls.body.id}/tls_termination`, { terminate_at: 'upstream' })).body
      .min_version,
    null,
  );
});

test('an edge takes at most 100 hostports', async (t) => {
  const edge = await startTestEdge(t);
  assert.equal((await apiFetch(edge, 'POST', '/reserved_domains', { domain: '*.many.example.test' })).status, 201);
  const names = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.many.example.test:443`);
  const refused = await apiFetch(edge, 'POST', '/edges/https', { hostports: names(101) });
  assert.equal(refused.status, 400);
  assert.equal(refused.body.error_code, 'ERR_NGROK_7129');
  const created = await apiFetch(edge, 'POST', '/edges/https', { hostports: names(100) });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(
    (await apiFetch(edge, 'PATCH', `/edges/https/${created.body.id}`, { hostports: names(101) })).body.error_code,
    'ERR_NGROK_7129',
  );
  assert.equal(
    (
      await apiFetch(edge, 'POST', '/edges/tcp', {
        hostports: Array.from({ length: 101 }, (_, i) => `localhost:${20000 + i}`),
      })
    ).body.error_code,
    'ERR_NGROK_7129',
  );
});
