/**
 * The `endpoints:` list of ngrok's version 3 config layout, read into the same tunnel
 * definitions as `tunnels:`:
 *
 *   endpoints:
 *     - name: web
 *       url: https://app.example.com      # http://, tcp://host:port, tls://; a bare host is https
 *       description: the web app
 *       metadata: '{"team":"web"}'
 *       upstream: { url: 3000, protocol: http1 }
 *       pooling_enabled: true
 *
 * The name and description are the endpoint's (GET /endpoints shows them). What the edge cannot
 * do is refused, naming the key: Traffic Policy, an upstream speaking HTTP/2 or the PROXY
 * protocol, a binding other than public.
 */
import { endpointKeys, upstreamKeys } from './config-keys.ts';
import type { TunnelConfig } from './config-file.ts';

/** Makes the error for a field path and a reason. */
type Fail = (field: string, why: string) => Error;
type CheckKeys = (raw: Record<string, unknown>, prefix: string, known: readonly string[]) => void;

/** The public URL schemes an endpoint may ask for, and the tunnel each makes. */
const schemes: Record<string, Pick<TunnelConfig, 'proto' | 'scheme'>> = {
  https: { proto: 'http', scheme: 'https' },
  http: { proto: 'http', scheme: 'http' },
  tcp: { proto: 'tcp' },
  tls: { proto: 'tls' },
};

/** Reads `endpoints:` (a list) into tunnel definitions by name. */
export function parseEndpoints(
  raw: unknown,
  fail: Fail,
  checkKeys: CheckKeys,
): Array<{ name: string; tunnel: TunnelConfig }> {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw fail('endpoints', 'must be a list of endpoints (- name: …, upstream: {url: …})');
  return raw.map((item, i) => parseEndpoint(item, `endpoints[${i}]`, fail, checkKeys));
}

function parseEndpoint(
  raw: unknown,
  at: string,
  fail: Fail,
  checkKeys: CheckKeys,
): { name: string; tunnel: TunnelConfig } {
  if (!isRecord(raw)) throw fail(at, 'must be a mapping');
  checkKeys(raw, `${at}.`, endpointKeys);
  const name = raw.name;
  if (typeof name !== 'string' || !name) throw fail(`${at}.name`, 'is required: the name `portico start <name>` takes');
  const upstream = raw.upstream;
  if (!isRecord(upstream)) throw fail(`${at}.upstream`, 'is required: a mapping with url (port, host:port or URL)');
  checkKeys(upstream, `${at}.upstream.`, upstreamKeys);
  if (typeof upstream.url !== 'string' && typeof upstream.url !== 'number')
    throw fail(`${at}.upstream.url`, 'is required (port, host:port or URL)');
  if (upstream.protocol !== undefined && upstream.protocol !== null && upstream.protocol !== 'http1')
    throw fail(
      `${at}.upstream.protocol`,
      `${JSON.stringify(upstream.protocol)}: the agent speaks HTTP/1.1 to the service; use http1 or leave it out`,
    );
  if (upstream.proxy_protocol !== undefined && upstream.proxy_protocol !== null && upstream.proxy_protocol !== '')
    throw fail(`${at}.upstream.proxy_protocol`, 'the agent does not send PROXY protocol headers; leave it out');
  if (raw.traffic_policy !== undefined && raw.traffic_policy !== null)
    throw fail(
      `${at}.traffic_policy`,
      'Traffic Policy is not supported yet; define the tunnel under tunnels: with its module keys (basic_auth, ip_restriction, oauth, …)',
    );
  const bindings = raw.bindings;
  if (
    bindings !== undefined &&
    bindings !== null &&
    !(Array.isArray(bindings) && bindings.every((b) => b === 'public'))
  )
    throw fail(`${at}.bindings`, 'Portico serves public endpoints only; leave it out or write [public]');
  const tunnel: TunnelConfig = { addr: String(upstream.url), ...urlOf(raw.url, `${at}.url`, fail) };
  for (const key of ['description', 'metadata'] as const) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw fail(`${at}.${key}`, 'must be a string');
    tunnel[key] = value;
  }
  if (raw.pooling_enabled !== undefined && raw.pooling_enabled !== null) {
    if (typeof raw.pooling_enabled !== 'boolean') throw fail(`${at}.pooling_enabled`, 'must be true or false');
    tunnel.pooling_enabled = raw.pooling_enabled;
  }
  return { name, tunnel };
}

/** The tunnel kind and public URL that `url:` asks for; absent or without a host: a random https one. */
function urlOf(value: unknown, at: string, fail: Fail): Pick<TunnelConfig, 'proto' | 'scheme' | 'url'> {
  if (value === undefined || value === null || value === '') return { proto: 'http', scheme: 'https' };
  if (typeof value !== 'string') throw fail(at, 'must be a URL such as https://app.example.com');
  const match = /^([a-z]+):\/\/(.*)$/i.exec(value);
  const scheme = (match?.[1] ?? 'https').toLowerCase();
  const kind = schemes[scheme];
  if (!kind) throw fail(at, `"${value}": the scheme must be https, http, tcp or tls`);
  const rest = match ? match[2]! : value;
  let url: URL;
  try {
    url = new URL(`${scheme}://${rest}`);
  } catch {
    throw fail(at, `"${value}" is not a URL such as https://app.example.com`);
  }
  if (url.pathname.replace(/^\/$/, '') || url.search || url.hash || url.username)
    throw fail(at, `"${value}": an endpoint URL names a scheme, a host and a port only`);
  return url.host ? { ...kind, url: `${scheme}://${url.host}` } : kind;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
