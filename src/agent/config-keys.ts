import { moduleKeys } from './config-modules.ts';

/**
 * The keys the agent's YAML config file accepts, and the keys of ngrok's agent config that it
 * does not support yet. Every other key is refused: a setting that is silently dropped (an
 * `auth:` that never asks for a password) is worse than an error.
 */

/** Top-level keys. `version` is accepted for ngrok v2 files (`version: "2"`) and checked. */
export const topLevelKeys = [
  'version',
  'authtoken',
  'server_addr',
  'ca_cert',
  'region',
  'web_addr',
  'inspect_db_size',
  'tunnels',
] as const;

/** Keys of one tunnel under `tunnels:`. */
export const tunnelKeys = [
  'proto',
  'addr',
  'scheme',
  'domain',
  'hostname',
  'subdomain',
  'remote_addr',
  'labels',
  'metadata',
  'pooling_enabled',
  'inspect',
  'crt',
  'key',
  ...moduleKeys,
] as const;

/** Top-level keys of ngrok's version 3 layout (`version: 3`). */
export const v3TopLevelKeys = ['version', 'agent', 'endpoints', 'tunnels'] as const;

/** Keys under `agent:` of the version 3 layout: `connect_url` and `connect_cas` are v2's `server_addr` and `ca_cert`. */
export const v3AgentKeys = ['authtoken', 'connect_url', 'connect_cas', 'web_addr', 'inspect_db_size'] as const;

/** Keys of one endpoint under `endpoints:` (version 3). */
export const endpointKeys = [
  'name',
  'url',
  'description',
  'metadata',
  'upstream',
  'pooling_enabled',
  'bindings',
  'traffic_policy',
] as const;

/** Keys of an endpoint's `upstream:`. */
export const upstreamKeys = ['url', 'protocol', 'proxy_protocol'] as const;

/** ngrok agent top-level keys Portico does not support yet, with what to do instead where there is something. */
export const ngrokTopLevelKeys: Readonly<Record<string, string>> = {
  api_key: 'the agent does not call the API',
  connect_timeout: '',
  console_ui: 'the status screen shows on a terminal; pass --log stdout to get log lines instead',
  console_ui_color: '',
  crl_noverify: '',
  dns_resolver_ips: '',
  heartbeat_interval: '',
  heartbeat_tolerance: '',
  log: 'pass --log instead',
  log_format: 'pass --log-format instead',
  log_level: 'pass --log-level instead',
  metadata: 'pass --metadata to `portico start` instead',
  proxy_url: '',
  remote_management: '',
  root_cas: 'use ca_cert (one PEM file)',
  update: '',
  update_channel: '',
  update_check: '',
  web_allow_hosts: '',
};

/** ngrok agent tunnel keys Portico does not support yet. */
export const ngrokTunnelKeys: Readonly<Record<string, string>> = {
  bind_tls: 'use scheme: https or scheme: http',
  client_cas: '',
  mutual_tls_cas: '',
  name: 'the key under tunnels: is the name',
  policy: '',
  proxy_proto: '',
  schemes: 'use scheme: https or scheme: http',
  terminate_at: '',
  traffic_policy: '',
};

/**
 * Why `key` is refused, or undefined when it is one of `known`. ngrok keys that Portico lacks
 * are "not supported yet"; anything else is unknown, with the nearest known key.
 */
export function refusedKey(
  key: string,
  known: readonly string[],
  ngrok: Readonly<Record<string, string>>,
): string | undefined {
  if (known.includes(key)) return undefined;
  if (Object.hasOwn(ngrok, key)) {
    const instead = ngrok[key];
    return `an ngrok agent setting that Portico does not support yet${instead ? ` (${instead})` : ''}; remove it`;
  }
  const near = nearest(key, known);
  return `unknown key${near ? `; did you mean "${near}"?` : ''} (known keys: ${known.join(', ')})`;
}

/** The known key within two edits of `key`, if any. */
function nearest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
