/**
 * The agent's YAML config file (default: defaultAgentConfigPath()), in ngrok's version 2 layout
 * or its version 3 layout (`version: 3`, `agent:`, `endpoints:`; config-endpoints.ts). Version 2:
 *
 *   authtoken: tok_…
 *   server_addr: edge.example.com:4443
 *   ca_cert: /path/ca.pem          # relative paths are relative to this file
 *   region: local
 *   tunnels:
 *     web: { proto: http, addr: 3000, subdomain: web }
 *     api: { labels: ["edge=edghts_1"], addr: "http://localhost:8081" }
 *     secure: { proto: tls, addr: 5432, domain: db.example.com, crt: db.pem, key: db-key.pem }
 *     admin: { addr: 8080, basic_auth: ["admin:long-password"], ip_restriction: { allow_cidrs: [10.0.0.0/8] } }
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import {
  ngrokTopLevelKeys,
  ngrokTunnelKeys,
  refusedKey,
  topLevelKeys,
  tunnelKeys,
  v3AgentKeys,
  v3TopLevelKeys,
} from './config-keys.ts';
import { parseEndpoints } from './config-endpoints.ts';
import type { TunnelProto } from '../protocol/messages.ts';
import { parseModuleKeys } from './config-modules.ts';
import type { EndpointModuleOptions } from './endpoint-modules.ts';
import { misplacedKey } from './tunnel-key-rules.ts';

export interface TunnelConfig {
  /** http, https, tcp or tls; refused on labeled tunnels. Default http. */
  proto?: TunnelProto;
  /** Port, host:port or URL of the local service. */
  addr: string;
  /** http only: public URL scheme, https (default) or http. */
  scheme?: 'http' | 'https';
  domain?: string;
  hostname?: string;
  subdomain?: string;
  remote_addr?: string;
  /** `["name=value", …]`: makes this a labeled tunnel. */
  labels?: string[];
  metadata?: string;
  /** The endpoint's description (version 3 `endpoints:`), shown by the API's /endpoints. */
  description?: string;
  /** The public URL asked for (version 3 `endpoints:` `url`), e.g. `https://app.example.com`, `tcp://host:20001`. */
  url?: string;
  pooling_enabled?: boolean;
  /** http: show this tunnel's requests in the traffic inspector. Default true. */
  inspect?: boolean;
  /**
   * http and tls: certificate (PEM) the agent terminates TLS with (zero-knowledge TLS); needs
   * `key`. Relative paths are relative to the config file; stored resolved.
   */
  crt?: string;
  /** The unencrypted PEM key of `crt`; resolved like `crt`. */
  key?: string;
  /** Modules the edge applies (basic_auth, ip_restriction, …; config-modules.ts). */
  modules?: EndpointModuleOptions;
}

export interface AgentConfigFile {
  /** The file this came from, and whether it existed (a missing file reads as an empty config). */
  file?: { path: string; found: boolean };
  authtoken?: string;
  server_addr?: string;
  ca_cert?: string;
  region?: string;
  /** Where the inspector and the agent API listen (`127.0.0.1:4040`), or false for nowhere. */
  web_addr?: string | false;
  /** Bytes of captured requests the inspector keeps in memory (ngrok's key). */
  inspect_db_size?: number;
  tunnels: Record<string, TunnelConfig>;
}

const protos = ['http', 'https', 'tcp', 'tls'] as const;

/** Makes the error for a field path and a reason. */
type Fail = (field: string, why: string) => PorticoError;
const tunnelStrings = ['domain', 'hostname', 'subdomain', 'remote_addr', 'metadata'] as const;

/** Reads and validates the file; a missing file is an empty config. */
export async function readAgentConfig(path: string): Promise<AgentConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file: { path, found: false }, tunnels: {} };
    throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // The YAML parser loads with the first file there is: an agent without one never holds it.
  const { parseAgentConfig } = await import('./config-yaml.ts');
  return parseAgentConfig(text, path);
}

/**
 * Checks what the file's YAML held (config-yaml.ts parses it); errors name the file and the
 * field path (`tunnels.web.proto: …`). Unknown keys are refused (config-keys.ts), and so are keys
 * the tunnel's kind does not take (tunnel-key-rules.ts), so that no setting is silently ignored.
 */
export function agentConfigOf(raw: unknown, path: string): AgentConfigFile {
  if (!isRecord(raw)) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${path}: the top level must be a mapping`);
  const fail = (field: string, why: string) =>
    new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${path}: ${field}: ${why}`);
  const config: AgentConfigFile = { file: { path, found: true }, tunnels: {} };
  if (versionOf(raw.version, fail) === 3) readVersion3(raw, config, fail);
  else {
    const v3Key = ['agent', 'endpoints'].find((key) => key in raw);
    if (v3Key) throw fail(v3Key, 'a key of the version 3 layout: begin the file with version: 3');
    checkKeys(raw, '', topLevelKeys, ngrokTopLevelKeys, fail);
    for (const key of ['authtoken', 'server_addr', 'ca_cert', 'region'] as const) {
      const value = stringAt(raw, key, fail);
      if (value !== undefined) config[key] = value;
    }
    parseInspectorKeys(raw, config, fail);
  }
  const tunnels = raw.tunnels ?? {};
  if (!isRecord(tunnels)) throw fail('tunnels', 'must be a mapping of names to tunnels');
  for (const [name, t] of Object.entries(tunnels))
    config.tunnels[name] = parseTunnel(t, `tunnels.${name}`, fail, dirname(path));
  return config;
}

/**
 * The version 3 layout: the agent's settings under `agent:` (`connect_url` and `connect_cas` for
 * v2's `server_addr` and `ca_cert`), endpoints under `endpoints:`, and `tunnels:` as in version 2.
 */
function readVersion3(raw: Record<string, unknown>, config: AgentConfigFile, fail: Fail): void {
  const moved = Object.keys(raw).find((key) => key in v2Renames);
  if (moved) throw fail(moved, `in the version 3 layout this goes under agent:, as ${v2Renames[moved]}`);
  checkKeys(raw, '', v3TopLevelKeys, {}, fail);
  const agent = raw.agent ?? {};
  if (!isRecord(agent)) throw fail('agent', 'must be a mapping (authtoken, connect_url, …)');
  checkKeys(agent, 'agent.', v3AgentKeys, ngrokTopLevelKeys, fail);
  const prefixed: Fail = (field, why) => fail(`agent.${field}`, why);
  const authtoken = stringAt(agent, 'authtoken', prefixed);
  if (authtoken !== undefined) config.authtoken = authtoken;
  const connect = stringAt(agent, 'connect_url', prefixed);
  if (connect !== undefined) config.server_addr = connect.replace(/^tls:\/\//i, '');
  const cas = stringAt(agent, 'connect_cas', prefixed);
  if (cas === 'trusted')
    throw prefixed(
      'connect_cas',
      "trusted names ngrok's own CAs; give the path of the edge's CA certificate (PEM), or host",
    );
  if (cas !== undefined && cas !== 'host') config.ca_cert = cas;
  parseInspectorKeys(agent, config, prefixed);
  const check: Parameters<typeof parseEndpoints>[2] = (obj, prefix, known) => checkKeys(obj, prefix, known, {}, fail);
  for (const { name, tunnel } of parseEndpoints(raw.endpoints, fail, check)) {
    if (config.tunnels[name]) throw fail('endpoints', `two endpoints are named "${name}"`);
    config.tunnels[name] = tunnel;
  }
  if (isRecord(raw.tunnels)) {
    const both = Object.keys(raw.tunnels).find((name) => config.tunnels[name]);
    if (both) throw fail(`tunnels.${both}`, 'an endpoint has the same name; rename one of them');
  }
}

/** Version 2 top-level keys and what the version 3 layout calls them under `agent:`. */
const v2Renames: Readonly<Record<string, string>> = {
  authtoken: 'authtoken',
  server_addr: 'connect_url',
  ca_cert: 'connect_cas',
  root_cas: 'connect_cas',
  web_addr: 'web_addr',
  inspect_db_size: 'inspect_db_size',
};

/** `raw[key]` as a string; undefined when absent or null. */
function stringAt(raw: Record<string, unknown>, key: string, fail: Fail): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fail(key, 'must be a string');
  return v;
}

/**
 * One tunnel definition given elsewhere than in the file (the agent API's `POST /api/tunnels`
 * takes the same keys); errors name `at` and the key. Relative paths are relative to `dir`.
 */
export function parseTunnelConfig(raw: unknown, at: string, dir: string): TunnelConfig {
  return parseTunnel(raw, at, (field, why) => new PorticoError(ErrorCode.ERR_AGENT_CONFIG, `${field}: ${why}`), dir);
}

function parseTunnel(raw: unknown, at: string, fail: Fail, dir: string): TunnelConfig {
  if (!isRecord(raw)) throw fail(at, 'must be a mapping');
  checkKeys(raw, `${at}.`, tunnelKeys, ngrokTunnelKeys, fail);
  if (typeof raw.addr !== 'string' && typeof raw.addr !== 'number')
    throw fail(`${at}.addr`, 'is required (port, host:port or URL)');
  const tunnel: TunnelConfig = { addr: String(raw.addr) };
  if (raw.proto !== undefined) {
    if (!protos.includes(raw.proto as TunnelProto)) throw fail(`${at}.proto`, `must be one of ${protos.join(', ')}`);
    tunnel.proto = raw.proto as TunnelProto;
  }
  for (const key of tunnelStrings) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw fail(`${at}.${key}`, 'must be a string');
    tunnel[key] = value;
  }
  if (raw.scheme !== undefined) {
    if (raw.scheme !== 'http' && raw.scheme !== 'https') throw fail(`${at}.scheme`, 'must be http or https');
    tunnel.scheme = raw.scheme;
  }
  const misplaced = misplacedKey(raw);
  if (misplaced) throw fail(`${at}.${misplaced.key}`, misplaced.why);
  if (raw.labels !== undefined) {
    if (!Array.isArray(raw.labels) || !raw.labels.every((l) => typeof l === 'string')) {
      throw fail(`${at}.labels`, 'must be a list of "name=value" strings');
    }
    tunnel.labels = raw.labels;
  }
  for (const key of ['pooling_enabled', 'inspect'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw fail(`${at}.${key}`, 'must be true or false');
    tunnel[key] = value;
  }
  for (const key of ['crt', 'key'] as const) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !value) throw fail(`${at}.${key}`, 'must be the path of a PEM file');
    tunnel[key] = resolve(dir, value);
  }
  if ((tunnel.crt === undefined) !== (tunnel.key === undefined)) throw fail(at, 'crt and key go together');
  const modules = parseModuleKeys(raw, at);
  if (modules) tunnel.modules = modules;
  if (tunnel.proto === undefined && tunnel.labels === undefined) tunnel.proto = 'http';
  return tunnel;
}

/** `web_addr` (`host:port` or false) and `inspect_db_size` (bytes, a positive integer). */
function parseInspectorKeys(raw: Record<string, unknown>, config: AgentConfigFile, fail: Fail): void {
  const addr = raw.web_addr;
  if (addr === false) config.web_addr = false;
  else if (addr !== undefined && addr !== null) {
    if (typeof addr !== 'string' || !/^[^\s]*:\d{1,5}$/.test(addr))
      throw fail('web_addr', 'must be host:port (127.0.0.1:4040) or false');
    config.web_addr = addr;
  }
  const size = raw.inspect_db_size;
  if (size !== undefined && size !== null) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0)
      throw fail('inspect_db_size', 'must be a number of bytes above 0');
    config.inspect_db_size = size;
  }
}

/** Throws ERR_AGENT_CONFIG for the first key of `raw` that is not in `known`, naming its path. */
function checkKeys(
  raw: Record<string, unknown>,
  prefix: string,
  known: readonly string[],
  ngrok: Readonly<Record<string, string>>,
  fail: Fail,
): void {
  for (const key of Object.keys(raw)) {
    const why = refusedKey(key, known, ngrok);
    if (why) throw fail(`${prefix}${key}`, why);
  }
}

/** The layout: 2 (also when absent) or 3; any other version is refused. */
function versionOf(version: unknown, fail: Fail): 2 | 3 {
  if (version === undefined || version === null || version === '2' || version === 2) return 2;
  if (version === '3' || version === 3) return 3;
  throw fail('version', `${JSON.stringify(version)} is not supported: write version: 2 or version: 3`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
