/**
 * The JSON messages of ngrok's agent protocol (docs/protocol.md §3, §6, §7).
 * Keys on the wire are PascalCase; Go agents send some keys in other spellings and Go decodes
 * case-insensitively, so every reader here looks keys up without regard to case.
 * Stream-type numbers never change.
 */
import { ErrorCode, ngrokCodeOf, PorticoError } from '../errors/catalogue.ts';

/** The 4-byte type written first on every stream. */
export const StreamType = {
  Auth: 0,
  Bind: 1,
  Unbind: 2,
  Proxy: 3,
  Restart: 4,
  Stop: 5,
  Update: 6,
  StartTunnelWithLabel: 7,
  SrvInfo: 8,
  StopTunnel: 9,
  PatchTunnelState: 10,
  Heartbeat: 0xffffffff,
} as const;
export type StreamTypeName = keyof typeof StreamType;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface AuthRequest {
  version: string[];
  clientId: string;
  authtoken: string;
  os: string;
  arch: string;
  agentVersion: string;
  hostname: string;
  userAgent: string;
  metadata: string;
  cookie: string;
  clientType: string;
  /** Agent heartbeat interval in milliseconds (sent as nanoseconds). 0 when absent. */
  heartbeatIntervalMs: number;
  /** Agent heartbeat tolerance in milliseconds (sent as nanoseconds). 0 when absent. */
  heartbeatToleranceMs: number;
  /** For each command, whether the agent handles it (a `*UnsupportedError` of `""`). */
  supports: { stop: boolean; restart: boolean; update: boolean };
}

export interface AuthResponse {
  Version: string;
  ClientId: string;
  Error?: string;
  Extra: {
    Version?: string;
    Region?: string;
    Cookie?: string;
    AccountName?: string;
    SessionDuration?: number;
    PlanName?: string;
    Banner?: string;
  };
}

export type TunnelProto = 'http' | 'https' | 'tcp' | 'tls';

export interface BindRequest {
  id: string;
  proto: string;
  forwardsTo: string;
  forwardsProto: string;
  /** The protocol options as sent: replayed verbatim (with assigned names) in the response. */
  opts: JsonObject;
  metadata: string;
  /** `Extra.Bindings` as sent (absent, [] or ["public"] are served; checked at bind). */
  bindings: Json | undefined;
  poolingEnabled: boolean;
  token: string;
  ipPolicyRef: string;
  name: string;
  description: string;
}

/** What the edge needs from a bind's `Opts`, whichever SDK sent them. */
export interface EndpointOpts {
  domain: string;
  hostname: string;
  subdomain: string;
  /** Requested TCP address ("host:port" or ""). */
  addr: string;
  /** Go v2 style: the whole URL, e.g. "https://foo.example.com". */
  url: string;
  /** As sent: only absent, null or 0 (no PROXY protocol header) is served; checked at bind. */
  proxyProto: Json | undefined;
  /** Module options the agent asked for, by wire key, that are not null. */
  modules: string[];
}

export interface BindResponse {
  Id: string;
  URL: string;
  Proto: string;
  Opts: JsonObject;
  Extra: { Token: string; TunnelID?: string };
  Error?: string;
}

export interface StartTunnelWithLabelRequest {
  labels: Record<string, string>;
  forwardsTo: string;
  forwardsProto: string;
  metadata: string;
}

export interface StartTunnelWithLabelResponse {
  Id: string;
  Error?: string;
}

/** PatchTunnelState (Go v2): changes to a live tunnel; a field absent or null leaves it as it is. */
export interface PatchTunnelStateRequest {
  tunnelId: string;
  metadata: Json | undefined;
  name: Json | undefined;
  description: Json | undefined;
  poolingEnabled: Json | undefined;
  trafficPolicy: Json | undefined;
}

export interface UnbindRequest {
  id: string;
}

/** The header the edge writes at the start of every proxy stream. All five fields are required. */
export interface ProxyHeader {
  Id: string;
  ClientAddr: string;
  Proto: string;
  /** "" for agent endpoints, "1" tcp edge, "2" tls edge, "3" https edge. A string, never a number. */
  EdgeType: '' | '0' | '1' | '2' | '3';
  PassthroughTLS: boolean;
}

export interface StopTunnelCommand {
  Id: string;
  Message: string;
  ErrorCode: string;
}

export interface UpdateCommand {
  Version: string;
  PermitMajorVersion: boolean;
}

/** Looks a key up in a JSON object without regard to case. */
export function field(obj: unknown, key: string): Json | undefined {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const record = obj as JsonObject;
  if (key in record) return record[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(record)) if (k.toLowerCase() === lower) return record[k];
  return undefined;
}

/** A string field (a number is written out); '' when absent or of another type. */
export function str(obj: unknown, key: string): string {
  const v = field(obj, key);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

export function num(obj: unknown, key: string): number {
  const v = field(obj, key);
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function bool(obj: unknown, key: string): boolean {
  return field(obj, key) === true;
}

function obj(value: unknown, key: string): JsonObject {
  const v = field(value, key);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : {};
}

/** A list of strings (other items dropped); [] when absent. */
export function strings(value: unknown, key: string): string[] {
  const v = field(value, key);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function parseAuthRequest(raw: unknown): AuthRequest {
  const extra = obj(raw, 'Extra');
  const supported = (key: string) => field(extra, key) === '';
  return {
    version: strings(raw, 'Version'),
    clientId: str(raw, 'ClientId'),
    // Rust spells it AuthToken, Go Authtoken; field() ignores case so both match.
    authtoken: str(extra, 'AuthToken'),
    os: str(extra, 'OS'),
    arch: str(extra, 'Arch'),
    agentVersion: str(extra, 'Version'),
    hostname: str(extra, 'Hostname'),
    userAgent: str(extra, 'UserAgent'),
    metadata: str(extra, 'Metadata'),
    cookie: str(extra, 'Cookie'),
    clientType: str(extra, 'ClientType'),
    heartbeatIntervalMs: Math.floor(num(extra, 'HeartbeatInterval') / 1e6),
    heartbeatToleranceMs: Math.floor(num(extra, 'HeartbeatTolerance') / 1e6),
    supports: {
      stop: supported('StopUnsupportedError'),
      restart: supported('RestartUnsupportedError'),
      update: supported('UpdateUnsupportedError'),
    },
  };
}

export function parseBindRequest(raw: unknown): BindRequest {
  const extra = obj(raw, 'Extra');
  return {
    id: str(raw, 'Id'),
    proto: str(raw, 'Proto').toLowerCase(),
    forwardsTo: str(raw, 'ForwardsTo'),
    forwardsProto: str(raw, 'ForwardsProto'),
    opts: obj(raw, 'Opts'),
    metadata: str(extra, 'Metadata'),
    bindings: field(extra, 'Bindings'),
    poolingEnabled: bool(extra, 'PoolingEnabled'),
    token: str(extra, 'Token'),
    ipPolicyRef: str(extra, 'IPPolicyRef'),
    name: str(extra, 'Name'),
    description: str(extra, 'Description'),
  };
}

/** Bind `Opts` keys that are plain settings rather than edge modules. */
const plainOptKeys = new Set(
  [
    'Domain',
    'Hostname',
    'Auth',
    'Subdomain',
    'HostHeaderRewrite',
    'LocalUrlScheme',
    'ProxyProto',
    'Addr',
    'URL',
    'MutualTLSAtAgent',
  ].map((k) => k.toLowerCase()),
);

export function parseEndpointOpts(opts: JsonObject): EndpointOpts {
  const modules = Object.keys(opts).filter((k) => {
    if (plainOptKeys.has(k.toLowerCase())) return false;
    const v = opts[k];
    return v !== null && v !== undefined && v !== '' && v !== false;
  });
  return {
    domain: str(opts, 'Domain'),
    hostname: str(opts, 'Hostname'),
    subdomain: str(opts, 'Subdomain'),
    addr: str(opts, 'Addr'),
    url: str(opts, 'URL'),
    proxyProto: field(opts, 'ProxyProto'),
    modules,
  };
}

/** Reads a StartTunnelWithLabel request; a label whose value is not a string is refused, not dropped. */
export function parseStartTunnelWithLabelRequest(raw: unknown): StartTunnelWithLabelRequest {
  const labelsRaw = obj(raw, 'Labels');
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(labelsRaw)) {
    if (typeof v !== 'string')
      throw new PorticoError(
        ErrorCode.ERR_AGENT_OPTION_INVALID,
        `Labels.${k}: a label value must be a string, got ${JSON.stringify(v)}`,
      );
    labels[k] = v;
  }
  return {
    labels,
    forwardsTo: str(raw, 'ForwardsTo'),
    forwardsProto: str(raw, 'ForwardsProto'),
    metadata: str(raw, 'Metadata'),
  };
}

export function parsePatchTunnelStateRequest(raw: unknown): PatchTunnelStateRequest {
  return {
    tunnelId: str(raw, 'TunnelId'),
    metadata: field(raw, 'Metadata'),
    name: field(raw, 'Name'),
    description: field(raw, 'Description'),
    poolingEnabled: field(raw, 'PoolingEnabled'),
    trafficPolicy: field(raw, 'TrafficPolicy'),
  };
}

export function parseUnbindRequest(raw: unknown): UnbindRequest {
  return { id: str(raw, 'Id') };
}

/** Agent side: reads the edge's answers, tolerating either case. */
export function parseRpcError(raw: unknown): string {
  return str(raw, 'Error');
}

/**
 * Formats an RPC error the way the SDKs decode it: the message, then a line holding the code.
 * The SDKs only recognise `ERR_NGROK_` lines as codes, so where ngrok has a number for the case
 * it comes last; our own code stays on the line before it, part of the message text they show.
 */
export function rpcError(code: ErrorCode, message: string): { Error: string } {
  const ngrok = ngrokCodeOf(code);
  return { Error: ngrok && ngrok !== code ? `${message}\n${code}\n${ngrok}` : `${message}\n${code}` };
}
