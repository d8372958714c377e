import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePublicUrl, parseTrustedProxies } from '../../src/config/api-public-address.ts';
import { apiClient } from '../support/api.ts';
import { startTestEdge, type TestEdge } from '../support/edge.ts';

/** GET with extra headers (X-Forwarded-*), as a reverse proxy would send it. */
async function get(edge: TestEdge, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(edge.bootstrap.api_url + path, {
    headers: { authorization: `Bearer ${edge.credentials.apiKey}`, 'ngrok-version': '2', ...headers },
  });
  return (await res.json()) as Record<string, unknown>;
}

const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.test' };

test('--api-public-url: every uri and next_page_uri starts with the public base URL', async (t) => {
  const edge = await startTestEdge(t, { config: { api: { publicUrl: 'https://gw.example.test/ngrok' } } });
  const ngrok = apiClient(edge);
  const a = await ngrok.ipPolicies.create({ description: 'a' });
  await ngrok.ipPolicies.create({ description: 'b' });
  assert.equal(a.uri, `https://gw.example.test/ngrok/ip_policies/${a.id}`);
  const page = await get(edge, '/ip_policies?limit=1', forwarded);
  assert.equal(page.uri, 'https://gw.example.test/ngrok/ip_policies');
  assert.match(String(page.next_page_uri), /^https:\/\/gw\.example\.test\/ngrok\/ip_policies\?before_id=ipp_/);
  const rule = await ngrok.ipPolicyRules.create({ ipPolicyId: a.id, cidr: '10.0.0.0/8', action: 'allow' });
  assert.equal(rule.ipPolicy.uri, `https://gw.example.test/ngrok/ip_policies/${a.id}`);
});

test('--api-trusted-proxies: X-Forwarded-Proto/Host believed from a trusted proxy only', async (t) => {
  const trusting = await startTestEdge(t, { config: { api: { trustedProxies: ['127.0.0.0/8'] } } });
  await apiClient(trusting).ipPolicies.create({});
  await apiClient(trusting).ipPolicies.create({});
  const behind = await get(trusting, '/ip_policies?limit=1', forwarded);
  assert.equal(behind.uri, 'https://api.example.test/ip_policies');
  assert.match(String(behind.next_page_uri), /^https:\/\/api\.example\.test\/ip_policies\?/);
  assert.equal((await get(trusting, '/ip_policies')).uri, `${trusting.bootstrap.api_url}/ip_policies`);

  const other = await startTestEdge(t, { config: { api: { trustedProxies: ['10.9.0.0/16'] } } });
  assert.equal((await get(other, '/ip_policies', forwarded)).uri, `${other.bootstrap.api_url}/ip_policies`);
});

test('the public address flags are checked', () => {
  assert.equal(parsePublicUrl('https://api.example.test/'), 'https://api.example.test');
  assert.equal(parsePublicUrl('http://h:8000/p/'), 'http://h:8000/p');
  for (const bad of ['api.example.test', 'ftp://x', 'https://x/?q=1', 'https://u:p@x'])
    assert.throws(() => parsePublicUrl(bad), { code: 'ERR_CONFIG_INVALID' }, bad);
  assert.deepEqual(parseTrustedProxies('10.0.0.0/8, ::1,192.168.1.2'), ['10.0.0.0/8', '::1', '192.168.1.2']);
  assert.throws(() => parseTrustedProxies('10.0.0.0/33'), { code: 'ERR_CONFIG_INVALID' });
  assert.throws(() => parseTrustedProxies('proxy.local'), { code: 'ERR_CONFIG_INVALID' });
});
