import { EventEmitter } from 'node:events';
import type { SecureContext } from 'node:tls';
import type { JsonObject, TunnelProto } from '../protocol/messages.ts';
import type { EndpointModuleOptions } from './endpoint-modules.ts';

/** What to listen on and where to forward: the argument of AgentSession.listen(). */
export interface ListenSpec {
  /**
   * Endpoint protocol. Default http. Ignored for labeled tunnels. An http endpoint is public over
   * HTTPS unless `scheme` is http (as ngrok's SDKs do: the wire Proto is then "https").
   */
  proto?: TunnelProto;
  /** http endpoints only: the public URL scheme. Default https. */
  scheme?: 'http' | 'https';
  /** The local service: a URL (`http://localhost:3000`) for http/https, `host:port` for tcp/tls. */
  forwardsTo: string;
  domain?: string;
  hostname?: string;
  subdomain?: string;
  /** tcp only: the public `host:port` to ask for. */
  remoteAddr?: string;
  /** Share the hostname with other agents that also ask for pooling (load-balanced). */
  poolingEnabled?: boolean;
  /** Tunnel metadata, opaque to the edge. */
  metadata?: string;
  /** The endpoint's description (the API's /endpoints shows it with the name). */
  description?: string;
  /** The public URL to ask for (`https://app.example.com`, `tcp://host:20001`), instead of a domain or address. */
  url?: string;
  /** A name for logs (`portico start <name>`). */
  name?: string;
  /** Makes this a labeled tunnel (StartTunnelWithLabel) instead of an endpoint (Bind). */
  labels?: Record<string, string>;
  /** For `https://` upstreams: verify the local service's certificate. Default true. */
  verifyUpstreamTls?: boolean;
  /**
   * Zero-knowledge TLS (http and tls endpoints): the agent terminates TLS with this certificate
   * and key (PEM) and forwards plaintext; the endpoint binds as a TLS endpoint the edge passes
   * through, so the edge never sees plaintext. Default none.
   */
  terminateTls?: { cert: string; key: string };
  /** Modules the edge applies to the endpoint (basic auth, IP restriction, headers, …). Default none. */
  modules?: EndpointModuleOptions;
  /** http: show this tunnel's requests in the traffic inspector (headers and bodies). Default true. */
  inspect?: boolean;
}

/** Why the edge stopped a tunnel (StopTunnel command). */
export interface StopReason {
  message: string;
  errorCode: string;
}

type ListenerEvents = { close: [reason: StopReason | undefined] };

/** One bound tunnel. `id` changes only for labeled tunnels, which the edge re-keys on reconnect. */
export class Listener extends EventEmitter<ListenerEvents> {
  id: string;
  /** The public URL (`https://x.localhost:8443`, `tcp://localhost:20001`); "" for labeled tunnels. */
  url: string;
  /** The bound protocol as sent on the wire (`http`, `https`, `tcp`, `tls`), or `labeled`. */
  readonly proto: string;
  readonly labels?: Record<string, string>;
  readonly spec: ListenSpec;
  /** The context proxy streams are terminated with when `spec.terminateTls` is set. */
  readonly tlsContext: SecureContext | undefined;
  /** The bind response's `Opts`, replayed verbatim on rebind so the edge hands back the same URL. */
  opts: JsonObject | undefined;
  #closed = false;
  readonly #unbind: (listener: Listener) => Promise<void>;

  constructor(
    spec: ListenSpec,
    bound: { id: string; url: string; opts?: JsonObject },
    unbind: (l: Listener) => Promise<void>,
    tlsContext?: SecureContext,
  ) {
    super();
    this.spec = spec;
    this.tlsContext = tlsContext;
    this.id = bound.id;
    this.url = bound.url;
    this.opts = bound.opts;
    this.proto = spec.labels ? 'labeled' : wireProto(spec);
    if (spec.labels) this.labels = spec.labels;
    this.#unbind = unbind;
  }

  get forwardsTo(): string {
    return this.spec.forwardsTo;
  }

  get name(): string | undefined {
    return this.spec.name;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Unbinds the tunnel at the edge (best effort when disconnected) and stops forwarding. */
  async close(): Promise<void> {
    if (!this.markClosed(undefined)) return;
    await this.#unbind(this);
  }

  /** Marks the listener closed without talking to the edge; false when it already was. */
  markClosed(reason: StopReason | undefined): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    this.emit('close', reason);
    return true;
  }
}

/**
 * The Bind `Proto` of a spec: an http endpoint binds as "https" unless its scheme is http; with
 * agent-terminated TLS every endpoint binds as "tls".
 */
export function wireProto(spec: ListenSpec): TunnelProto {
  if (spec.terminateTls) return 'tls';
  const proto = spec.proto ?? 'http';
  return proto === 'http' ? (spec.scheme ?? 'https') : proto;
}
