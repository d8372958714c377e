import { randomBytes } from 'node:crypto';
import type net from 'node:net';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import type {
  BindRequest,
  JsonObject,
  PatchTunnelStateRequest,
  StartTunnelWithLabelRequest,
  TunnelProto,
} from '../../protocol/messages.ts';
import { parseEndpointOpts } from '../../protocol/messages.ts';
import { newId } from '../../store/ids.ts';
import type { PortRange } from '../config.ts';
import { checkBindAllowed } from '../../config/acl/acl.ts';
import { defaultTlsPolicy } from '../../config/compile/tls-policy.ts';
import { AddrClaims } from './addr-claims.ts';
import { newTunnel } from './new-tunnel.ts';
import { TcpPorts } from './tcp-ports.ts';
import type { ModuleDeps } from '../pipeline/build.ts';
import { endpointModules, type EndpointModules } from './agent-modules.ts';
import { commandSession, type AgentCommandName } from './agent-commands.ts';
import { EndpointGroup } from './endpoint-group.ts';
import { joinGroup } from './join-group.ts';
import { EndpointTables } from './endpoint-tables.ts';
import type { Reservations } from '../../config/ownership/reservations.ts';
import { randomLabel } from '../../config/names/random-label.ts';
import { checkHostname, requestedHostname, requestedPort } from './endpoint-names.ts';
import { checkBind, checkForwardsProto } from './bind-checks.ts';
import { applyPatch } from './tunnel-patch.ts';
import type { Tunnel, TunnelSession } from './tunnel.ts';
import { LabeledTunnels } from './labeled-tunnels.ts';
import { bindFields, hostnameOpts, isTunnelProto, mayTakeOver, tcpOpts } from './bind-answers.ts';

/** Opens public TCP listeners for TCP endpoints. */
export interface TcpListeners {
  /** Listens on `port`, or on a free port of the range when 0; resolves with the bound port. */
  open(port: number, onConnection: (socket: net.Socket) => void): Promise<{ port: number; close(): void }>;
}

export interface RegistryOptions {
  domain: string;
  region: string;
  tcpPorts: PortRange;
  publicPorts: { http: number; https: number };
  tcp: TcpListeners;
  reservations: Reservations;
  /** Called for each public connection to a TCP endpoint. */
  onTcpConnection: (group: EndpointGroup, socket: net.Socket) => void;
  /** Milliseconds an emptied endpoint stays held for its account. Default 60000. */
  graceMs?: number;
  /** Signs random TCP addresses into tunnel ids (addr-claims.ts). Default: a random secret. */
  addrClaims?: AddrClaims;
  /** What agent endpoints' modules are built with. */
  modules: ModuleDeps;
  logger: Logger;
}

/** The result of a bind: the tunnel and the `Opts` to return (replayed by the SDK on reconnect). */
export interface BoundEndpoint {
  tunnel: Tunnel;
  opts: JsonObject;
}

/** Live tunnel sessions and tunnels, and the tables public listeners look endpoints up in. */
export class TunnelRegistry {
  readonly sessions = new Map<string, TunnelSession>();
  readonly tunnels = new Map<string, Tunnel>();
  private readonly tables = new EndpointTables();
  private readonly groupOf = new Map<Tunnel, EndpointGroup>();
  private closed = false;
  private readonly ports: TcpPorts;
  private readonly labeled = new LabeledTunnels();
  /** Goes up whenever a labeled tunnel comes or goes (labeled-tunnels.ts). */
  get labeledVersion(): number {
    return this.labeled.version;
  }

  constructor(private readonly options: RegistryOptions) {
    this.ports = new TcpPorts(options.tcp, options.reservations, options.addrClaims ?? new AddrClaims(randomBytes(32)));
  }

  /** The group serving `host` on the plain-HTTP port. */
  httpEndpoint(host: string): EndpointGroup | undefined {
    return this.tables.http.match(host);
  }

  /** The group serving `host` on the HTTPS port: an https or a tls endpoint. */
  httpsEndpoint(host: string): EndpointGroup | undefined {
    return this.tables.https.match(host);
  }

  /** Like httpsEndpoint(), with the name that matched (for precedence against edges). */
  httpsEndpointEntry(host: string): { name: string; value: EndpointGroup } | undefined {
    return this.tables.https.matchEntry(host);
  }

  addSession(session: TunnelSession): void {
    this.sessions.set(session.id, session);
  }

  /** Forgets a closed session; its endpoints stay held for a reconnect during the grace period. */
  removeSession(session: TunnelSession): void {
    if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
    for (const tunnel of [...this.tunnels.values()]) if (tunnel.session === session) this.removeTunnel(tunnel);
  }

  /** Forgets a deleted account's sessions and frees its endpoints' names and ports at once, with no grace period. */
  forgetAccount(accountId: string): void {
    for (const session of [...this.sessions.values()]) if (session.accountId === accountId) this.removeSession(session);
    this.tables.dropAccount(accountId);
  }

  async bindEndpoint(session: TunnelSession, bind: BindRequest, region: string): Promise<BoundEndpoint> {
    if (this.closed) throw new PorticoError(ErrorCode.ERR_EDGE_SHUTTING_DOWN);
    if (region && region !== this.options.region) {
      throw new PorticoError(
        ErrorCode.ERR_REGION_MISMATCH,
        `asked for "${region}", this edge serves "${this.options.region}"`,
      );
    }
    const opts = parseEndpointOpts(bind.opts);
    if (!isTunnelProto(bind.proto)) throw new PorticoError(ErrorCode.ERR_PROTO_UNSUPPORTED, `"${bind.proto}"`);
    checkBind(bind, bind.proto);
    // Compiled and built before anything is bound: a refused option binds nothing.
    const modules = endpointModules(bind.opts, opts.modules, bind.forwardsTo, bind.proto, this.options.modules);
    return bind.proto === 'tcp'
      ? this.bindTcp(session, bind, requestedPort(bind, opts), modules)
      : this.bindHostname(session, bind, bind.proto, modules);
  }

  bindLabeled(session: TunnelSession, request: StartTunnelWithLabelRequest): Tunnel {
    if (this.closed) throw new PorticoError(ErrorCode.ERR_EDGE_SHUTTING_DOWN);
    if (Object.keys(request.labels).length === 0) throw new PorticoError(ErrorCode.ERR_LABELS_INVALID);
    checkForwardsProto(request.forwardsProto);
    checkBindAllowed(session.acl, { labels: request.labels });
    const tunnel = this.makeTunnel(session, '', 'labeled', '', {
      labels: request.labels,
      forwardsTo: request.forwardsTo,
      forwardsProto: request.forwardsProto,
      metadata: request.metadata,
    });
    this.labeled.add(tunnel);
    return tunnel;
  }

  /** Removes one tunnel of this session; false when the session holds no such tunnel. */
  unbind(session: TunnelSession, id: string): boolean {
    const tunnel = this.tunnels.get(id);
    if (!tunnel || tunnel.session !== session) return false;
    this.removeTunnel(tunnel, true);
    return true;
  }

  /**
   * Applies a PatchTunnelState (docs/protocol.md §6.5) to a tunnel of `session`: the metadata is
   * changed; what the edge cannot change on a live tunnel is refused, and then nothing changes.
   */
  patchTunnel(session: TunnelSession, patch: PatchTunnelStateRequest): void {
    const tunnel = this.tunnels.get(patch.tunnelId);
    if (!tunnel || tunnel.session !== session)
      throw new PorticoError(ErrorCode.ERR_TUNNEL_NOT_FOUND, `TunnelId "${patch.tunnelId}"`);
    applyPatch(tunnel, this.groupOf.get(tunnel)?.pooled ?? false, patch);
  }

  /** Labeled tunnels (of one account, when given) whose labels include every one of `labels`. */
  labeledTunnels(labels: Record<string, string>, accountId?: string): Tunnel[] {
    return this.labeled.matching(labels, accountId);
  }

  /**
   * Accounts whose endpoints, live or held for a reconnect (grace period), can serve a host
   * that `name` names: the same name, a name under it when `name` is a wildcard, or a wildcard
   * endpoint covering it. Read-only; the API refuses reservations over other accounts' names.
   */
  hostnameHolders(name: string): Set<string> {
    return this.tables.hostnameHolders(name);
  }

  /** The account whose TCP endpoint, live or held for a reconnect, has `port`; undefined when none. */
  portHolder(port: number): string | undefined {
    return this.tables.portHolder(port);
  }

  /** Sends a command (restart, stop, update) to a live session's agent. */
  command(sessionId: string, name: AgentCommandName): Promise<void> {
    return commandSession(this.sessions.get(sessionId), sessionId, name);
  }

  /** Closes every TCP listener and forgets everything (edge shutdown). */
  close(): void {
    this.closed = true;
    this.tables.close();
  }

  private async bindHostname(
    session: TunnelSession,
    bind: BindRequest,
    proto: 'http' | 'https' | 'tls',
    modules: EndpointModules,
  ): Promise<BoundEndpoint> {
    const { domain, publicPorts } = this.options;
    const opts = parseEndpointOpts(bind.opts);
    const port = proto === 'http' ? publicPorts.http : publicPorts.https;
    let hostname = requestedHostname(opts, domain, port);
    if (hostname) await checkHostname(hostname, session.accountId, domain, this.options.reservations);
    else hostname = `${randomLabel()}.${domain}`;
    checkBindAllowed(session.acl, { hostname });
    const table = this.tables.hosts(proto);
    const group =
      joinGroup(table.get(hostname), session, bind, proto, hostname, (stale) => this.removeTunnel(stale)) ??
      new EndpointGroup(hostname, proto, session.accountId, bind.poolingEnabled);
    // One handshake serves every tunnel of a pool, so they must agree on the client CAs.
    const tls = modules.tls ?? defaultTlsPolicy;
    if (group.tunnels.length && group.tls.key !== tls.key)
      throw new PorticoError(ErrorCode.ERR_POOL_TLS_MISMATCH, `"${hostname}"`);
    group.tls = tls;
    table.set(hostname, group);
    const scheme = proto === 'tls' ? 'tls' : proto;
    const defaultPort = (proto === 'http' && port === 80) || (proto === 'https' && port === 443);
    const url = `${scheme}://${hostname}${defaultPort ? '' : `:${port}`}`;
    const tunnel = this.makeTunnel(session, bind.id, proto, url, {
      hostname,
      ...bindFields(bind),
      ...modules,
    });
    this.attach(tunnel, group);
    return { tunnel, opts: hostnameOpts(bind, hostname, url, !!opts.url) };
  }

  private async bindTcp(
    session: TunnelSession,
    bind: BindRequest,
    port: number,
    modules: EndpointModules,
  ): Promise<BoundEndpoint> {
    const { min, max } = this.options.tcpPorts;
    if (port && min !== 0 && (port < min || port > max))
      throw new PorticoError(ErrorCode.ERR_ADDR_INVALID, `port ${port} is outside ${min}-${max}`);
    // A random port (0) passes only an ACL that allows any bind.
    checkBindAllowed(session.acl, { addr: { host: this.options.domain, port } });
    if (port) await this.ports.checkRequested(session.accountId, port, bind.id);
    let entry = port ? this.tables.tcp.get(port) : undefined;
    const joined = joinGroup(entry?.group, session, bind, 'tcp', String(port), (stale) => this.removeTunnel(stale));
    if (!joined) {
      const group = new EndpointGroup('', 'tcp', session.accountId, bind.poolingEnabled);
      const listener = await this.ports.open(port, (socket) => this.options.onTcpConnection(group, socket));
      (group as { key: string }).key = String(listener.port);
      entry = { group, close: listener.close };
      this.tables.tcp.set(listener.port, entry);
    }
    const group = joined ?? entry!.group;
    const boundPort = Number(group.key);
    this.ports.assigned(boundPort, session.accountId);
    const url = `tcp://${this.options.domain}:${boundPort}`;
    // A random address comes with a tunnel id that proves it was given to this account.
    const id = bind.id || this.ports.claim(session.accountId, boundPort);
    const tunnel = this.makeTunnel(session, id, 'tcp', url, {
      port: boundPort,
      ...bindFields(bind),
      ...modules,
    });
    this.attach(tunnel, group);
    const addr = `${this.options.domain}:${boundPort}`;
    return { tunnel, opts: tcpOpts(bind, addr, url, !!parseEndpointOpts(bind.opts).url) };
  }

  private makeTunnel(
    session: TunnelSession,
    requestedId: string,
    proto: TunnelProto | 'labeled',
    url: string,
    rest: Partial<Tunnel>,
  ): Tunnel {
    // Honour the agent's own id on a rebind (the SDK keys proxy streams by it) when the id is
    // free or its tunnel may be replaced; anyone else's tunnel is left alone under a new id.
    const existing = requestedId ? this.tunnels.get(requestedId) : undefined;
    const takeOver = existing !== undefined && mayTakeOver(existing, session);
    if (existing && takeOver) this.removeTunnel(existing);
    const id = requestedId && (!existing || takeOver) ? requestedId : newId('tn');
    const tunnel = newTunnel(id, session, proto, url, rest);
    this.tunnels.set(id, tunnel);
    return tunnel;
  }

  private attach(tunnel: Tunnel, group: EndpointGroup): void {
    group.add(tunnel);
    this.groupOf.set(tunnel, group);
  }

  private removeTunnel(tunnel: Tunnel, release = false): void {
    if (this.tunnels.get(tunnel.id) === tunnel) this.tunnels.delete(tunnel.id);
    this.labeled.delete(tunnel);
    const group = this.groupOf.get(tunnel);
    this.groupOf.delete(tunnel);
    if (!group) return;
    group.remove(tunnel);
    if (group.tunnels.length > 0) return;
    // An unbind releases the name at once; a lost session holds it for a reconnect.
    if (release) this.tables.drop(group);
    else group.graceTimer = setTimeout(() => this.tables.drop(group), this.options.graceMs ?? 60_000).unref();
  }
}
