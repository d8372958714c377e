/** Request bodies and response readers for Bind (1), StartTunnelWithLabel (7) and Unbind (2). */
import { ErrorCode } from '../errors/catalogue.ts';
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

/** The per-protocol `Opts` of a new bind. */
export function endpointOpts(spec: ListenSpec): JsonObject {
  const names = { Domain: spec.domain ?? '', Hostname: spec.hostname ?? '', Subdomain: spec.subdomain ?? '' };
  const proto = wireProto(spec);
  const modules = spec.modules ? moduleOpts(spec.modules, proto) : {};
  switch (proto) {
    case 'tcp':
      return { Addr: spec.remoteAddr ?? '', ProxyProto: 0, ...modules };
    case 'tls':
      return { ...names, ProxyProto: 0, MutualTLSAtAgent: false, ...modules };
    default:
      return { ...names, Auth: '', HostHeaderRewrite: false, ProxyProto: 0, ...modules };
  }
}

/** The StartTunnelWithLabel body. */
export function labelRequest(spec: ListenSpec, region?: string): JsonObject {
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
