/**
 * The parts of a bind besides its module options (docs/protocol.md §6.2), checked before
 * anything is bound. What the edge cannot honour (a binding other than public, an IP policy by
 * reference, HTTP/2 or the PROXY protocol towards the agent) is refused with
 * ERR_OPTION_UNSUPPORTED, and so is a plain `Opts` key set on a protocol it does not apply to;
 * a plain key of the wrong type is ERR_AGENT_OPTION_INVALID. Unset means absent, null, "" or false.
 */
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { field, type BindRequest, type Json, type JsonObject, type TunnelProto } from '../../protocol/messages.ts';

/** Refuses what a bind asks for that this edge would otherwise ignore. */
export function checkBind(bind: BindRequest, proto: TunnelProto): void {
  checkBindings(bind.bindings);
  if (bind.ipPolicyRef)
    throw unsupported(
      'IPPolicyRef',
      `"${bind.ipPolicyRef}": IP policies by reference are not supported; give the CIDRs as IPRestriction (allow_cidrs, deny_cidrs)`,
    );
  checkForwardsProto(bind.forwardsProto);
  const proxyProto = field(bind.opts, 'ProxyProto');
  if (proxyProto !== undefined && proxyProto !== null && proxyProto !== 0)
    throw unsupported(
      'ProxyProto',
      `${JSON.stringify(proxyProto)}: this edge does not send PROXY protocol headers to agents; leave proxy_proto unset`,
    );
  checkPlainOpts(bind.opts, proto, bind.forwardsTo);
  checkEndpointText(bind);
}

/** The most bytes (UTF-8) of an endpoint's name and of its description, as ngrok's API allows a description. */
export const maxEndpointTextBytes = 255;

/** Refuses an endpoint name or description (Bind `Extra`, PatchTunnelState) longer than maxEndpointTextBytes. */
export function checkEndpointText(fields: { name: string; description: string }): void {
  for (const [key, value] of [
    ['Name', fields.name],
    ['Description', fields.description],
  ] as const) {
    const bytes = Buffer.byteLength(value);
    if (bytes > maxEndpointTextBytes)
      throw new PorticoError(
        ErrorCode.ERR_AGENT_OPTION_INVALID,
        `${key}: ${bytes} bytes, at most ${maxEndpointTextBytes}; shorten it`,
      );
  }
}

/** Refuses a ForwardsProto other than "" or "http1" (Bind and StartTunnelWithLabel). */
export function checkForwardsProto(forwardsProto: string): void {
  if (forwardsProto !== '' && forwardsProto !== 'http1')
    throw unsupported(
      'ForwardsProto',
      `"${forwardsProto}": this edge speaks HTTP/1.1 to agents; leave app_protocol unset or set it to "http1"`,
    );
}

function checkBindings(bindings: Json | undefined): void {
  if (bindings === undefined || bindings === null) return;
  if (Array.isArray(bindings) && bindings.every((b) => b === 'public')) return;
  throw unsupported(
    'Bindings',
    `${JSON.stringify(bindings)}: Portico serves public endpoints only; leave the binding out or set it to "public"`,
  );
}

/** The protocols each plain `Opts` key applies to, and its JSON type. */
const plainKeys: Record<string, { type: 'string' | 'boolean'; protos: readonly TunnelProto[] }> = {
  Domain: { type: 'string', protos: ['http', 'https', 'tls'] },
  Hostname: { type: 'string', protos: ['http', 'https', 'tls'] },
  Subdomain: { type: 'string', protos: ['http', 'https', 'tls'] },
  Addr: { type: 'string', protos: ['tcp'] },
  URL: { type: 'string', protos: ['http', 'https', 'tcp', 'tls'] },
  Auth: { type: 'string', protos: ['http', 'https'] },
  HostHeaderRewrite: { type: 'boolean', protos: ['http', 'https'] },
  LocalUrlScheme: { type: 'string', protos: ['http', 'https'] },
  MutualTLSAtAgent: { type: 'boolean', protos: ['tls'] },
};

function checkPlainOpts(opts: JsonObject, proto: TunnelProto, forwardsTo: string): void {
  for (const [key, { type, protos }] of Object.entries(plainKeys)) {
    const v = field(opts, key);
    if (v === undefined || v === null) continue;
    if (typeof v !== type)
      throw new PorticoError(ErrorCode.ERR_AGENT_OPTION_INVALID, `${key}: must be a ${type}, got ${JSON.stringify(v)}`);
    if (v !== '' && v !== false && !protos.includes(proto))
      throw unsupported(key, `does not apply to ${proto} endpoints (only ${protos.join(', ')}); leave it unset`);
  }
  const scheme = field(opts, 'LocalUrlScheme');
  if (typeof scheme === 'string' && scheme !== '' && !localSchemes(forwardsTo).includes(scheme.toLowerCase()))
    throw unsupported(
      'LocalUrlScheme',
      `"${scheme}" contradicts ForwardsTo "${forwardsTo}"; use ${localSchemes(forwardsTo).join(' or ')}, or leave it unset`,
    );
}

/** The LocalUrlScheme values a ForwardsTo allows: its own http(s) scheme, else either. */
function localSchemes(forwardsTo: string): string[] {
  const own = /^(https?):\/\//i.exec(forwardsTo)?.[1]?.toLowerCase();
  return own ? [own] : ['http', 'https'];
}

function unsupported(key: string, why: string): PorticoError {
  return new PorticoError(ErrorCode.ERR_OPTION_UNSUPPORTED, `${key} ${why}`);
}
