/** What a bind keeps on its tunnel, and the `Opts` its answer carries back to the agent. */
import type { BindRequest, JsonObject, TunnelProto } from '../../protocol/messages.ts';
import type { Tunnel, TunnelSession } from './tunnel.ts';

export function isTunnelProto(proto: string): proto is TunnelProto {
  return proto === 'http' || proto === 'https' || proto === 'tcp' || proto === 'tls';
}

/** What an agent endpoint keeps of its bind besides its address and modules. */
export function bindFields(bind: BindRequest): Partial<Tunnel> {
  return {
    forwardsTo: bind.forwardsTo,
    forwardsProto: bind.forwardsProto,
    metadata: bind.metadata,
    name: bind.name,
    description: bind.description,
    poolingEnabled: bind.poolingEnabled,
  };
}

/**
 * The `Opts` of an HTTP(S) or TLS bind's answer: what the agent sent, with the name it got
 * (the SDK replays them on reconnect); `URL` too when the agent named its endpoint by URL.
 */
export function hostnameOpts(bind: BindRequest, hostname: string, url: string, byUrl: boolean): JsonObject {
  const opts: JsonObject = {
    Auth: '',
    Subdomain: '',
    HostHeaderRewrite: false,
    MutualTLSAtAgent: false,
    ...bind.opts,
    Hostname: hostname,
    ProxyProto: 0,
  };
  if (byUrl) opts.URL = url;
  return opts;
}

/** The `Opts` of a TCP bind's answer: the address it got. */
export function tcpOpts(bind: BindRequest, addr: string, url: string, byUrl: boolean): JsonObject {
  const opts: JsonObject = { ...bind.opts, Addr: addr, ProxyProto: 0 };
  if (byUrl) opts.URL = url;
  return opts;
}

/**
 * Whether a bind in `session` that repeats `existing`'s id may replace it: only within one
 * account, and from another connection only when that is the same session resumed or the
 * old connection is gone.
 */
export function mayTakeOver(existing: Tunnel, session: TunnelSession): boolean {
  if (existing.session.accountId !== session.accountId) return false;
  return existing.session.id === session.id || existing.session.mux.isClosed;
}
