import type tls from 'node:tls';
import { ErrorCode, isPorticoError, PorticoError } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import { echoHeartbeats, startHeartbeat } from '../../protocol/heartbeat.ts';
import {
  type AuthRequest,
  type AuthResponse,
  field,
  parseAuthRequest,
  parseBindRequest,
  parsePatchTunnelStateRequest,
  parseStartTunnelWithLabelRequest,
  parseUnbindRequest,
  rpcError,
  str,
  StreamType,
} from '../../protocol/messages.ts';
import { readJson, writeJsonAndEnd } from '../../protocol/rpc.ts';
import { MuxErrorCode } from '../../protocol/frame.ts';
import { MuxSession } from '../../protocol/session.ts';
import type { MuxStream } from '../../protocol/stream.ts';
import { newId } from '../../store/ids.ts';
import type { TunnelRegistry } from './registry.ts';
import type { SessionCookies } from './session-cookie.ts';
import { checkSessionLimit, TunnelLimit, type SessionLimits } from './session-limits.ts';
import type { TunnelSession } from './tunnel.ts';
import { clientAddrOf, clientIpOf } from '../proxy/client-addr.ts';
import type { AccountRestrictions } from '../../config/ip-rules/account-restrictions.ts';

/** Who an authtoken belongs to. */
export interface AgentIdentity {
  accountId: string;
  accountName: string;
  credentialId: string;
  /** The credential's `bind:` rules; empty allows every bind. */
  acl?: readonly string[];
}

export interface AgentConnectionDeps {
  registry: TunnelRegistry;
  authenticate(authtoken: string): Promise<AgentIdentity | undefined>;
  /** The accounts' IP restrictions in force: an agent its account's `agent` restrictions refuse is not let in. */
  restrictions(): AccountRestrictions;
  cookies: SessionCookies;
  /** The account's limits, read at each Auth and bind (src/store/account-limits.ts). */
  limits(accountId: string): Promise<SessionLimits>;
  region: string;
  version: string;
  /** Milliseconds an agent has to authenticate after the TLS handshake (EdgeTimeouts.handshake). */
  authTimeoutMs: number;
  logger: Logger;
}

/**
 * Streams in flight to one agent; below the Rust SDK's 511, past which its session dies
 * (docs/protocol.md §9).
 */
export const maxProxyStreamsPerSession = 500;

/**
 * Streams an agent may have open at once: before Auth succeeds its heartbeat and one RPC;
 * after, enough for every command it may send at once.
 */
const incomingStreams = { beforeAuth: 2, afterAuth: 128 };

/** Largest JSON message read on an RPC stream, in bytes: Auth is small; Bind may carry certificates. */
const maxMessageBytes = { beforeAuth: 16 * 1024, afterAuth: 256 * 1024 };

/**
 * RPC streams a connection may open before its Auth succeeds (Auth, SrvInfo, a retry). An
 * agent past it, or one whose message before Auth is too large, is no agent: its connection
 * is closed.
 */
const maxRpcsBeforeAuth = 4;

type RpcHandler = (body: unknown) => Promise<object>;

/** Milliseconds the heartbeat interval and tolerance an agent asks for are held within. */
const heartbeatBounds = { min: 1000, max: 300_000 };

/** An agent's heartbeat setting within heartbeatBounds; `fallback` when it sent none. */
function clampHeartbeat(ms: number, fallback: number): number {
  return ms > 0 ? Math.min(Math.max(ms, heartbeatBounds.min), heartbeatBounds.max) : fallback;
}

/**
 * Serves one agent connection (docs/protocol.md §4–§6, limits §9): heartbeats, Auth, then
 * Bind/Unbind/labels for its lifetime.
 * `hooks.authenticated` runs once its Auth succeeded.
 */
export function serveAgentConnection(
  socket: tls.TLSSocket,
  deps: AgentConnectionDeps,
  hooks: { authenticated?: () => void } = {},
): MuxSession {
  const clientAddr = clientAddrOf(socket);
  const mux = new MuxSession(socket, {
    role: 'server',
    maxOutgoingStreams: maxProxyStreamsPerSession,
    maxIncomingStreams: incomingStreams.beforeAuth,
  });
  let log = deps.logger.child({ client: clientAddr });
  let session: TunnelSession | undefined;
  let tunnelLimit: TunnelLimit | undefined;
  let heartbeat: { stop(): void } | undefined;
  const authTimer = setTimeout(() => {
    log.warn('agent did not authenticate in time');
    mux.destroy();
  }, deps.authTimeoutMs).unref();

  const authenticated =
    (handler: RpcHandler): RpcHandler =>
    async (body) => {
      if (!session) throw new PorticoError(ErrorCode.ERR_AUTHTOKEN_MISSING, 'authenticate before binding');
      return handler(body);
    };

  const handlers: Partial<Record<number, RpcHandler>> = {
    [StreamType.Auth]: async (body) => {
      if (session) throw new PorticoError(ErrorCode.ERR_BAD_REQUEST, 'already authenticated');
      const auth = parseAuthRequest(body);
      const result = await authenticateAgent(auth, socket, mux, deps);
      checkSessionLimit(deps.registry, result.session, (await deps.limits(result.identity.accountId)).max_sessions);
      session = result.session;
      tunnelLimit = new TunnelLimit(
        deps.registry,
        session,
        async () => (await deps.limits(result.identity.accountId)).max_tunnels_per_session,
      );
      clearTimeout(authTimer);
      mux.setMaxIncomingStreams(incomingStreams.afterAuth);
      hooks.authenticated?.();
      log = log.child({ session: session.id, account: result.identity.accountName });
      deps.registry.addSession(session);
      heartbeat = startHeartbeat(mux, {
        intervalMs: clampHeartbeat(auth.heartbeatIntervalMs, 10_000),
        toleranceMs: clampHeartbeat(auth.heartbeatToleranceMs, 15_000),
        onTimeout: () => {
          log.warn('agent heartbeat timed out');
          mux.destroy();
        },
      });
      log.info('agent authenticated', { agent: auth.userAgent || auth.clientType });
      return result.response;
    },
    [StreamType.Bind]: authenticated(async (body) => {
      const bind = parseBindRequest(body);
      const region = str(field(body, 'Extra'), 'Region');
      const { tunnel, opts } = await tunnelLimit!.bind(bind.id, () =>
        deps.registry.bindEndpoint(session!, bind, region),
      );
      log.info('bound endpoint', { tunnel: tunnel.id, url: tunnel.url });
      return {
        Id: tunnel.id,
        URL: tunnel.url,
        Proto: bind.proto,
        Opts: opts,
        Extra: { Token: '', TunnelID: tunnel.id },
        Error: '',
      };
    }),
    [StreamType.StartTunnelWithLabel]: authenticated(async (body) => {
      const region = str(body, 'Region');
      if (region && region !== deps.region)
        throw new PorticoError(
          ErrorCode.ERR_REGION_MISMATCH,
          `asked for "${region}", this edge serves "${deps.region}"`,
        );
      const request = parseStartTunnelWithLabelRequest(body);
      const tunnel = await tunnelLimit!.bind('', () => deps.registry.bindLabeled(session!, request));
      log.info('started labeled tunnel', { tunnel: tunnel.id, labels: tunnel.labels });
      return { Id: tunnel.id, Error: '' };
    }),
    [StreamType.Unbind]: authenticated(async (body) => {
      const { id } = parseUnbindRequest(body);
      if (!deps.registry.unbind(session!, id)) throw new PorticoError(ErrorCode.ERR_TUNNEL_NOT_FOUND, id);
      log.info('unbound tunnel', { tunnel: id });
      return {};
    }),
    [StreamType.SrvInfo]: async () => ({ Region: deps.region }),
    [StreamType.PatchTunnelState]: authenticated(async (body) => {
      const patch = parsePatchTunnelStateRequest(body);
      deps.registry.patchTunnel(session!, patch);
      log.info('patched tunnel', { tunnel: patch.tunnelId });
      return { Error: '' };
    }),
  };

  let rpcsBeforeAuth = 0;
  const refuseBeforeAuth = (why: string) => {
    log.warn('closing an agent connection before Auth', { reason: why });
    mux.goAway(MuxErrorCode.PROTOCOL, why);
  };
  mux.on('refused', () => {
    if (!session) refuseBeforeAuth(`more than ${incomingStreams.beforeAuth} streams before Auth`);
  });
  mux.on('stream', (stream: MuxStream) => {
    if (stream.type === StreamType.Heartbeat) return echoHeartbeats(stream);
    const handler = handlers[stream.type];
    if (!handler) return stream.reset();
    if (!session && ++rpcsBeforeAuth > maxRpcsBeforeAuth)
      return refuseBeforeAuth(`more than ${maxRpcsBeforeAuth} requests before Auth`);
    const preAuth = !session;
    void answer(
      stream,
      handler,
      errorShapes[stream.type],
      preAuth ? maxMessageBytes.beforeAuth : maxMessageBytes.afterAuth,
      log,
    ).then((tooLarge) => {
      if (tooLarge && preAuth)
        refuseBeforeAuth(`a message before Auth larger than ${maxMessageBytes.beforeAuth} bytes`);
    });
  });

  mux.on('close', (info) => {
    clearTimeout(authTimer);
    heartbeat?.stop();
    if (session) deps.registry.removeSession(session);
    log.info('agent disconnected', { remote: info.remote, code: info.code, reason: info.error?.code ?? info.message });
  });
  return mux;
}

/**
 * The fields the SDKs require in each reply even when it carries an `Error`: the Rust decoder
 * rejects a reply missing them before it looks at `Error`, and the user would lose our message.
 */
const errorShapes: Partial<Record<number, (body: unknown) => object>> = {
  [StreamType.Auth]: () => ({ Version: '3', ClientId: '', Extra: {} }),
  [StreamType.Bind]: (body) => {
    const { proto, opts } = parseBindRequest(body);
    return { Id: '', URL: '', Proto: proto, Opts: opts, Extra: { Token: '' } };
  },
  [StreamType.StartTunnelWithLabel]: () => ({ Id: '' }),
};

/** The codes readJson fails with: the request itself could not be read. */
const rpcReadCodes: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.ERR_RPC_TOO_LARGE,
  ErrorCode.ERR_RPC_MALFORMED,
  ErrorCode.ERR_RPC_TIMEOUT,
]);

/** Reads one request, runs the handler, writes its answer or an `Error` and FINs; true when the request was too large. */
async function answer(
  stream: MuxStream,
  handler: RpcHandler,
  shape: ((body: unknown) => object) | undefined,
  maxBytes: number,
  log: Logger,
): Promise<boolean> {
  let reply: object;
  let body: unknown;
  let tooLarge = false;
  try {
    body = await readJson(stream, { maxBytes });
    reply = await handler(body);
  } catch (err) {
    if (!isPorticoError(err)) log.error('rpc failed', { err });
    const e = isPorticoError(err) ? err : new PorticoError(ErrorCode.ERR_BAD_REQUEST);
    log.info('rpc refused', { type: stream.type, code: e.code, reason: e.message });
    tooLarge = e.code === ErrorCode.ERR_RPC_TOO_LARGE;
    if (rpcReadCodes.has(e.code) && stream.destroyed) return tooLarge;
    reply = { ...shape?.(body), ...rpcError(e.code, e.message) };
  }
  if (stream.destroyed || !stream.writable) return tooLarge;
  writeJsonAndEnd(stream, reply);
  // The rest of an oversized message is of no use: stop the sender (and free its buffer).
  if (tooLarge) stream.once('finish', () => stream.reset());
  return tooLarge;
}

async function authenticateAgent(auth: AuthRequest, socket: tls.TLSSocket, mux: MuxSession, deps: AgentConnectionDeps) {
  if (!auth.authtoken) throw new PorticoError(ErrorCode.ERR_AUTHTOKEN_MISSING);
  const identity = await deps.authenticate(auth.authtoken);
  if (!identity) throw new PorticoError(ErrorCode.ERR_AUTHTOKEN_INVALID);
  const ip = clientIpOf(socket);
  const warn = (message: string, fields: Record<string, unknown>) => deps.logger.warn(message, fields);
  if (!deps.restrictions().admits(identity.accountId, 'agent', ip, warn))
    throw new PorticoError(ErrorCode.ERR_AGENT_IP_RESTRICTED, `the agent connects from ${ip}`);
  const clientAddr = clientAddrOf(socket);
  const version = protocolVersion(auth.version);
  const resumed = auth.clientId && deps.cookies.verify(auth.clientId, identity.accountId, auth.cookie);
  const id = resumed ? auth.clientId : newId('ts');
  const session: TunnelSession = {
    id,
    accountId: identity.accountId,
    credentialId: identity.credentialId,
    acl: identity.acl ?? [],
    clientAddr,
    agentVersion: auth.agentVersion,
    clientType: auth.clientType,
    os: auth.os,
    metadata: auth.metadata,
    startedAt: new Date(),
    mux,
  };
  const response: AuthResponse = {
    Version: version,
    ClientId: id,
    Extra: {
      Version: deps.version,
      Region: deps.region,
      Cookie: deps.cookies.issue(id, identity.accountId),
      AccountName: identity.accountName,
      SessionDuration: 0,
      PlanName: 'portico',
    },
  };
  return { session, identity, response };
}

/** Protocol versions this edge speaks (docs/protocol.md §6.1), preferred first. */
const protocolVersions = ['3', '2'];

/** The version to answer an Auth offering `offered` with: "3" when it offers nothing; refused when it offers none we speak. */
function protocolVersion(offered: readonly string[]): string {
  if (offered.length === 0) return protocolVersions[0]!;
  const version = protocolVersions.find((v) => offered.includes(v));
  if (!version)
    throw new PorticoError(
      ErrorCode.ERR_BAD_REQUEST,
      `the agent offered protocol versions ${JSON.stringify(offered)}; this edge speaks ${protocolVersions.join(' and ')}`,
    );
  return version;
}
