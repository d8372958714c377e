import type { MuxSession } from '../../protocol/session.ts';
import type { MuxStream } from '../../protocol/stream.ts';
import type { TunnelProto } from '../../protocol/messages.ts';
import type { TlsPolicy } from '../../config/compile/tls-policy.ts';
import type { IpFilter } from '../../config/ip-rules/ip-filter.ts';
import type { HttpModule } from '../pipeline/http-module.ts';

/** One authenticated agent connection, as the rest of the edge sees it. */
export interface TunnelSession {
  /** `ts_…`, stable across an agent's reconnects (session resumption). */
  readonly id: string;
  readonly accountId: string;
  readonly credentialId: string;
  /** The credential's `bind:` rules (src/edge/tunnels/acl.ts); empty or absent allows every bind. */
  readonly acl?: readonly string[];
  readonly clientAddr: string;
  readonly agentVersion: string;
  readonly clientType: string;
  readonly os: string;
  readonly metadata: string;
  readonly startedAt: Date;
  readonly mux: MuxSession;
}

/** Where a public connection entered, carried to the agent in the proxy header. */
export interface StreamOrigin {
  clientAddr: string;
  /** "http", "https", "tcp" or "tls": what the agent is told the connection is. */
  proto: string;
  passthroughTls: boolean;
  /** "" for agent endpoints; "1" TCP edge, "2" TLS edge, "3" HTTPS edge for labeled tunnels. Default "". */
  edgeType?: '' | '1' | '2' | '3';
}

/** A bind inside a session: an agent endpoint (has a URL) or a labeled tunnel (has labels). */
export interface Tunnel {
  /** The bind id the agent knows it by; proxy headers carry it. */
  readonly id: string;
  /** Its endpoint's id (`ep_…`, src/config/names/endpoint-ids.ts), as `/endpoints` and traffic events name it. */
  readonly endpointId: string;
  readonly session: TunnelSession;
  readonly proto: TunnelProto | 'labeled';
  /** Public URL for endpoints, "" for labeled tunnels. */
  readonly url: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly labels?: Readonly<Record<string, string>>;
  readonly forwardsTo: string;
  /** `ForwardsProto` of the bind: "" or "http1". */
  readonly forwardsProto: string;
  /** Set at bind; the agent may change it later (PatchTunnelState). */
  metadata: string;
  /** An agent endpoint's name and description (Go's `Extra.Name`, `Extra.Description`); "" when unset. Patchable like metadata. */
  name: string;
  description: string;
  /** Whether the bind asked to pool its endpoint with other agents'. */
  readonly poolingEnabled: boolean;
  readonly startedAt: Date;
  /** When a PatchTunnelState last changed the tunnel; its start until then. */
  updatedAt: Date;
  /** An http/https endpoint's module chain, built at bind from the agent's options. Absent: none. */
  readonly modules?: readonly HttpModule[];
  /** A tcp/tls endpoint's IP restriction, built at bind from the agent's options. Absent: none. */
  readonly ipFilter?: IpFilter;
  /** An https endpoint's TLS policy (client CAs from MutualTLSCA), built at bind; its group's `tls` is what handshakes use. Absent: the default. */
  readonly tls?: TlsPolicy;
  /** Opens one proxy stream to the agent and writes the proxy header on it. */
  openStream(target: StreamOrigin): MuxStream;
}
