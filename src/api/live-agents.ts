/**
 * What the API reads from, and asks of, the agents connected right now. The data plane's
 * tunnel registry provides it; the API depends on this shape only, never on the data plane.
 */

/** A connected agent (a tunnel session), as `/tunnel_sessions` shows it. */
export interface LiveSession {
  readonly id: string;
  readonly accountId: string;
  readonly credentialId: string;
  /** "ip:port" of the agent's connection. */
  readonly clientAddr: string;
  readonly agentVersion: string;
  readonly os: string;
  readonly metadata: string;
  readonly startedAt: Date;
}

/** A bind of a connected agent, as `/tunnels` shows it. */
export interface LiveTunnel {
  readonly id: string;
  /** Its endpoint's id (`ep_…`, src/config/names/endpoint-ids.ts), as `/endpoints` lists it. */
  readonly endpointId: string;
  readonly session: { readonly id: string; readonly accountId: string };
  /** "http", "https", "tcp", "tls", or "labeled" for labeled tunnels. */
  readonly proto: string;
  /** Public URL for agent endpoints, "" for labeled tunnels. */
  readonly url: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly forwardsTo: string;
  /** "" or "http1". */
  readonly forwardsProto: string;
  readonly metadata: string;
  /** The agent endpoint's name and description (Go's bind `Extra`), "" when unset. */
  readonly name: string;
  readonly description: string;
  readonly poolingEnabled: boolean;
  readonly startedAt: Date;
  /** When the agent last changed metadata, name or description; `startedAt` until then. */
  readonly updatedAt: Date;
}

/** The commands `/tunnel_sessions/{id}/<command>` sends. */
export type AgentCommand = 'restart' | 'stop' | 'update';

export interface LiveAgents {
  readonly sessions: ReadonlyMap<string, LiveSession>;
  readonly tunnels: ReadonlyMap<string, LiveTunnel>;
  /** Labeled tunnels of `accountId` whose labels include every one of `labels`. */
  labeledTunnels(labels: Record<string, string>, accountId: string): readonly LiveTunnel[];
  /** Accounts whose endpoints use a name `name` covers or that covers `name`, live or held for a reconnect. */
  hostnameHolders(name: string): ReadonlySet<string>;
  /** The account whose TCP endpoint uses `port`, live or held for a reconnect. */
  portHolder(port: number): string | undefined;
  /** Sends `command` to the session's agent; rejects with ERR_AGENT_COMMAND_FAILED when it does not comply. */
  command(sessionId: string, command: AgentCommand): Promise<void>;
}
