/** Request bodies and response readers for Bind (1), StartTunnelWithLabel (7) and Unbind (2). */
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { field } from '../protocol/messages.ts';
import type { Json, JsonObject } from '../protocol/messages.ts';
import { EdgeRpcError } from './edge-error.ts';
import { moduleOpts } from './endpoint-modules.ts';
import { wireProto } from './listener.ts';
import type { ListenSpec } from './listener.ts';
import { publicUrl } from './terminate-tls.ts';

export interface BoundTunnel {
  id: string;
  url: string;
  proto: string;
  opts: JsonObject;
}

/**
 * The Bind body. `id` is "" for a new bind; on rebind it is the old id and `opts` the previous
 * response's Opts (carrying the assigned hostname or address).
 */
export function bindRequest(spec: ListenSpec, id: string, opts: JsonObject | undefined, region?: string): JsonObject {
  const extra: JsonObject = {
    Token: '',
    IPPolicyRef: '',
    Metadata: spec.metadata ?? '',
    Bindings: [],
    PoolingEnabled: spec.poolingEnabled ?? false,
  };
  // The endpoint's name and description, as ngrok-go v2 sends them (the API's /endpoints shows them).
  if (spec.name) extra.Name = spec.name;
  if (spec.description) extra.Description = spec.description;
  if (region) extra.Region = region;
  return {
    Id: id,
    Proto: wireProto(spec),
    ForwardsTo: spec.forwardsTo,
    ForwardsProto: '',
    Opts: opts ?? endpointOpts(spec),
    Extra: extra,
  };
}

/** The per-protocol `Opts` of a new bind; a spec field its protocol would drop is refused (ERR_AGENT_CONFIG). */
export function endpointOpts(spec: ListenSpec): JsonObject {
  const dropped = droppedField(spec);
  if (dropped) throw new PorticoError(ErrorCode.ERR_AGENT_CONFIG, dropped);
  const names = { Domain: spec.domain ?? '', Hostname: spec.hostname ?? '', Subdomain: spec.subdomain ?? '' };
  const proto = wireProto(spec);
  const modules = spec.modules ? moduleOpts(spec.modules, proto) : {};
  const url: JsonObject = spec.url ? { URL: spec.url } : {};
  switch (proto) {
    case 'tcp':
      return { Addr: spec.remoteAddr ?? '', ProxyProto: 0, ...url, ...modules };
    case 'tls':
      return { ...names, ProxyProto: 0, MutualTLSAtAgent: false, ...url, ...modules };
    default:
      return { ...names, Auth: '', HostHeaderRewrite: false, ProxyProto: 0, ...url, ...modules };
  }
}

/** Why a field of `spec` would not reach the edge (another protocol's, or a second name); undefined when none. */
function droppedField(spec: ListenSpec): string | undefined {
  const proto = spec.proto ?? 'http';
  const names = (['domain', 'hostname', 'subdomain'] as const).filter((k) => spec[k] !== undefined);
  if (names.length > 1) return `${names.join(' and ')} both name the hostname: give one of them`;
  const other = names[0] ?? (spec.remoteAddr === undefined ? undefined : 'remoteAddr');
  if (spec.url !== undefined && other) return `url and ${other} both name the address: give one of them`;
  if (proto === 'tcp' && names.length)
    return `${names[0]!} does not apply to a tcp endpoint (it has an address: remoteAddr)`;
  if (proto !== 'tcp' && spec.remoteAddr !== undefined) return `remoteAddr applies to tcp endpoints only`;
  if ((proto === 'tcp' || proto === 'tls') && spec.scheme !== undefined) return `scheme applies to http endpoints only`;
  if (proto === 'https' && spec.scheme === 'http')
    return 'scheme http does not apply to an https endpoint: use proto http';
  return undefined;
}

/**
 * Throws ERR_AGENT_CONFIG when the bind of `spec` could not carry all it asks for, so that
 * `portico http|start` and the agent API refuse it before anything connects.
 */
export function checkSpec(spec: ListenSpec): void {
  if (spec.labels) labelRequest(spec);
  else endpointOpts(spec);
}

/** What a labeled tunnel's StartTunnelWithLabel carries (or the agent applies itself); `proto` is unused. */
const labeledSpecKeys: ReadonlyArray<keyof ListenSpec> = [
  'name',
  'proto',
  'labels',
  'forwardsTo',
  'metadata',
  'inspect',
  'verifyUpstreamTls',
];

/**
 * The StartTunnelWithLabel body: labels, address and metadata only. A spec with more (modules, a
 * hostname) is refused: the edge's route applies modules to labeled tunnels, and dropping them
 * here would serve the service open.
 */
export function labelRequest(spec: ListenSpec, region?: string): JsonObject {
  const extra = (Object.keys(spec) as Array<keyof ListenSpec>).find(
    (k) => spec[k] !== undefined && !labeledSpecKeys.includes(k),
  );
  if (extra)
    throw new PorticoError(
      ErrorCode.ERR_AGENT_CONFIG,
      `a labeled tunnel carries only its labels, address and metadata: ${extra} would be dropped; modules go on the route of the edge that selects these labels`,
    );
  const body: JsonObject = {
    Labels: { ...(spec.labels ?? {}) },
    ForwardsTo: spec.forwardsTo,
    ForwardsProto: '',
    Metadata: spec.metadata ?? '',
  };
  if (region) body.Region = region;
  return body;
}

/** Reads a BindResp; a non-empty `Error` throws an EdgeRpcError. */
export function parseBindResponse(raw: unknown, spec: ListenSpec): BoundTunnel {
  failOnError(raw, `cannot bind ${spec.proto ?? 'http'} tunnel to ${spec.forwardsTo}`);
  const opts = field(raw, 'Opts');
  return {
    id: str(field(raw, 'Id')),
    url: publicUrl(spec, str(field(raw, 'URL'))),
    proto: str(field(raw, 'Proto')),
    opts: isObject(opts) ? opts : {},
  };
}

/** Reads a StartTunnelWithLabelResp (`{"Id":…}`). */
export function parseLabelResponse(raw: unknown, spec: ListenSpec): { id: string } {
  const labels = Object.entries(spec.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  failOnError(raw, `cannot start labeled tunnel ${labels}`);
  return { id: str(field(raw, 'Id')) };
}

/** Throws when an RPC reply (Unbind included) carries a non-empty `Error`. */
export function failOnError(raw: unknown, context: string): void {
  const error = str(field(raw, 'Error'));
  if (error) throw new EdgeRpcError(ErrorCode.ERR_AGENT_CONNECT, error, context);
}

function str(v: Json | undefined): string {
  return typeof v === 'string' ? v : '';
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
