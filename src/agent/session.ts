/**
 * AgentSession: one logical tunnel session with the edge that survives reconnects. It dials,
 * authenticates, binds listeners, forwards proxy streams, obeys edge commands, and after a drop
 * reconnects forever (resuming with ClientId/Cookie) and rebinds every listener with its old id
 * and the Opts the edge answered, so URLs stay the same.
 */
import { EventEmitter } from 'node:events';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import { silentLogger } from '../log/logger.ts';
import { MuxErrorCode } from '../protocol/frame.ts';
import type { Logger } from '../log/logger.ts';
import type { StopTunnelCommand } from '../protocol/messages.ts';
import type { AuthResult, ResumeState } from './auth.ts';
import type { BackoffOptions } from './backoff.ts';
import { handleEdgeStream } from './commands.ts';
import { closeConnection, openConnection } from './connection.ts';
import type { EdgeConnection } from './connection.ts';
import { forwardProxyStream } from './forwarder.ts';
import { Listener } from './listener.ts';
import type { ListenSpec, StopReason } from './listener.ts';
import { Reconnector } from './reconnect.ts';
import { agentTlsContext, checkTerminationSpec } from './terminate-tls.ts';
import type { AgentTraffic } from './traffic/traffic.ts';
import { bindTunnel, unbindTunnel } from './tunnel-rpc.ts';

export interface AgentSessionOptions {
  /** Edge agent-ingress address, `host:port` (port default 443). */
  serverAddr: string;
  /** Sent in Auth; "" (the default) lets the edge answer ERR_AUTHTOKEN_MISSING. */
  authtoken?: string;
  /** CA PEM(s) for the edge's certificate; default the system roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Session metadata sent in Auth. Default "". */
  metadata?: string;
  /** Sent as `Region` in every Bind's Extra and StartTunnelWithLabel body when set. */
  region?: string;
  logger?: Logger;
  /** Milliseconds between heartbeats. Default 10 000. */
  heartbeatIntervalMs?: number;
  /** Milliseconds of missing echo tolerated past the interval. Default 15 000. */
  heartbeatToleranceMs?: number;
  /** Milliseconds for dial + TLS, and for each RPC reply. Default 10 000. */
  timeoutMs?: number;
  /** Reconnect backoff. Default 500 ms base, 30 s cap, full jitter. */
  backoff?: BackoffOptions;
  /** Milliseconds a connection must stay up before the backoff resets. Default 10 000. */
  stableAfterMs?: number;
  /**
   * Diagnostics: called with every chunk the edge relays on a proxy stream (after the proxy
   * header), before the agent decrypts anything. For tests and debugging. Default none.
   */
  tap?: (tunnelId: string, chunk: Buffer) => void;
  /** Counts proxied connections and observes HTTP requests (status screen, request log). Default none: no tap. */
  traffic?: AgentTraffic;
}

export interface DisconnectInfo {
  /** True when the edge ended the session (GOAWAY), false for local or transport failures. */
  remote: boolean;
  code: number;
  message: string;
  error?: Error;
}

export type AgentSessionEvents = {
  /** The connection dropped; a reconnect is scheduled unless the session was closed. */
  disconnected: [info: DisconnectInfo];
  /** A reconnect attempt will start after `delayMs`. */
  reconnecting: [info: { attempt: number; delayMs: number }];
  'reconnect-failed': [error: Error, attempt: number];
  /** Connected again and every listener rebound. */
  reconnected: [];
  /** A listener could not be rebound; the reconnect attempt is retried. */
  'bind-error': [error: Error, listener: Listener];
  /** The edge stopped a tunnel (StopTunnel); the listener is closed. */
  'tunnel-stopped': [listener: Listener, reason: StopReason];
  /** The edge sent Stop; the session is closed. */
  stop: [];
  close: [];
};

type State = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export class AgentSession extends EventEmitter<AgentSessionEvents> {
  readonly logger: Logger;
  readonly #o: AgentSessionOptions;
  #state: State = 'idle';
  #reconnects = 0;
  #conn: EdgeConnection | undefined;
  #resume: ResumeState = { clientId: '', cookie: '' };
  #auth: AuthResult | undefined;
  #restartNow = false;
  readonly #listeners = new Map<string, Listener>();
  /** Upstream `host:port` -> last IP that answered (see ForwarderContext.resolved). */
  readonly #resolved = new Map<string, string>();
  readonly #reconnector: Reconnector;

  constructor(options: AgentSessionOptions) {
    super();
    this.#o = options;
    this.logger = options.logger ?? silentLogger;
    this.#reconnector = new Reconnector({
      backoff: options.backoff,
      stableAfterMs: options.stableAfterMs,
      attempt: () => this.#reconnect(),
      onSchedule: (attempt, delayMs) => this.emit('reconnecting', { attempt, delayMs }),
      onFailure: (err, attempt) => {
        this.logger.warn('reconnect failed', { attempt: attempt + 1, err });
        this.emit('reconnect-failed', err as Error, attempt);
      },
    });
  }

  get state(): State {
    return this.#state;
  }

  /** Times the session reconnected after losing its connection. */
  get reconnects(): number {
    return this.#reconnects;
  }

  /** The ClientId the edge assigned (resumed across reconnects). */
  get clientId(): string {
    return this.#resume.clientId;
  }

  /** The edge's answer to the last successful Auth (account name, region); undefined before. */
  get auth(): AuthResult | undefined {
    return this.#auth;
  }

  /** Milliseconds of the last heartbeat round trip on the current connection; undefined before the first and while disconnected. */
  get latencyMs(): number | undefined {
    return this.#conn?.latencyMs;
  }

  /** The edge address this session dials. */
  get serverAddr(): string {
    return this.#o.serverAddr;
  }

  /** The traffic observer given in the options, if any. */
  get traffic(): AgentTraffic | undefined {
    return this.#o.traffic;
  }

  /** The live listeners. */
  get tunnels(): Listener[] {
    return [...this.#listeners.values()];
  }

  /** Connects and authenticates. Rejects (no retry) when the first attempt fails. */
  async connect(): Promise<void> {
    if (this.#state !== 'idle')
      throw new PorticoError(ErrorCode.ERR_AGENT_CONNECT, `connect() called in state ${this.#state}`);
    this.#state = 'connecting';
    let conn: EdgeConnection;
    try {
      conn = await this.#open();
    } catch (err) {
      if (this.#state === 'connecting') this.#state = 'idle';
      throw err;
    }
    if ((this.#state as State) === 'closed') {
      await closeConnection(conn);
      throw new PorticoError(ErrorCode.ERR_AGENT_CONNECT, 'the session was closed while connecting');
    }
    this.#attach(conn);
  }

  /** Binds a tunnel; rejects with the edge's error (e.g. ERR_HOSTNAME_TAKEN). */
  async listen(spec: ListenSpec): Promise<Listener> {
    const conn = this.#conn;
    if (this.#state !== 'connected' || !conn) {
      throw new PorticoError(ErrorCode.ERR_AGENT_CONNECT, `the session is not connected (${this.#state})`);
    }
    checkTerminationSpec(spec);
    // Checked before binding: a bad certificate or key must not leave a bound endpoint behind.
    const tlsContext = spec.terminateTls ? agentTlsContext(spec.terminateTls) : undefined;
    const bound = await bindTunnel(conn.mux, spec, '', undefined, this.#rpcOptions());
    const listener = new Listener(spec, bound, (l) => this.#unbind(l), tlsContext);
    this.#listeners.set(listener.id, listener);
    this.logger.debug('tunnel bound', { id: listener.id, url: listener.url });
    return listener;
  }

  /** Closes every listener and the connection (GOAWAY); no reconnect follows. */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#reconnector.cancel();
    for (const l of this.#listeners.values()) l.markClosed(undefined);
    this.#listeners.clear();
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn) await closeConnection(conn);
    this.emit('close');
  }

  async #open(): Promise<EdgeConnection> {
    const conn = await openConnection({
      serverAddr: this.#o.serverAddr,
      ca: this.#o.ca,
      authtoken: this.#o.authtoken ?? '',
      metadata: this.#o.metadata ?? '',
      heartbeatIntervalMs: this.#o.heartbeatIntervalMs ?? 10_000,
      heartbeatToleranceMs: this.#o.heartbeatToleranceMs ?? 15_000,
      timeoutMs: this.#o.timeoutMs ?? 10_000,
      resume: this.#resume,
      logger: this.logger,
      onStream: (stream) => handleEdgeStream(stream, this.#commandHandlers()),
    });
    this.#resume = { clientId: conn.auth.clientId, cookie: conn.auth.cookie };
    return conn;
  }

  #attach(conn: EdgeConnection): void {
    this.#conn = conn;
    this.#auth = conn.auth;
    this.#state = 'connected';
    this.#reconnector.connected();
    conn.mux.once('close', (info) => this.#onDrop(conn, info));
    this.logger.debug('session up', { server: this.#o.serverAddr, clientId: conn.auth.clientId });
    // It may have died between Auth and now, before anyone listened for 'close'.
    if (conn.mux.isClosed)
      this.#onDrop(conn, { remote: true, code: MuxErrorCode.PEER_EOF, message: 'the connection closed' });
  }

  #onDrop(conn: EdgeConnection, info: DisconnectInfo): void {
    conn.stopHeartbeat();
    if (this.#conn !== conn || this.#state === 'closed') return;
    this.#conn = undefined;
    this.#state = 'reconnecting';
    this.logger.warn('disconnected from the edge', {
      remote: info.remote,
      reason: info.error?.message ?? info.message,
    });
    this.emit('disconnected', info);
    // GOAWAY is the edge draining this node: come back at once, as the official SDKs do.
    const goAway = info.remote && !info.error && info.code !== MuxErrorCode.PEER_EOF;
    const now = this.#restartNow || goAway;
    this.#restartNow = false;
    this.#reconnector.dropped(now);
  }

  /** One reconnect attempt: connect, Auth with the resume state, rebind everything. */
  async #reconnect(): Promise<void> {
    if (this.#state !== 'reconnecting') return;
    const conn = await this.#open();
    try {
      await this.#rebindAll(conn);
    } catch (err) {
      await closeConnection(conn);
      throw err;
    }
    if (this.#state !== 'reconnecting') return void (await closeConnection(conn));
    this.#attach(conn);
    this.logger.info('reconnected', { server: this.#o.serverAddr, tunnels: this.#listeners.size });
    this.#reconnects += 1;
    this.emit('reconnected');
  }

  async #rebindAll(conn: EdgeConnection): Promise<void> {
    for (const listener of [...this.#listeners.values()]) {
      if (listener.closed) continue;
      try {
        const bound = await bindTunnel(conn.mux, listener.spec, listener.id, listener.opts, this.#rpcOptions());
        this.#rekey(listener, bound);
      } catch (err) {
        this.logger.error('rebind failed', { id: listener.id, addr: listener.forwardsTo, err });
        this.emit('bind-error', err as Error, listener);
        throw err;
      }
    }
  }

  #rekey(listener: Listener, bound: { id: string; url: string; opts?: Listener['opts'] }): void {
    this.#listeners.delete(listener.id);
    listener.id = bound.id;
    if (bound.opts) listener.opts = bound.opts;
    if (bound.url && bound.url !== listener.url) {
      this.logger.warn('tunnel URL changed on rebind', { from: listener.url, to: bound.url });
      listener.url = bound.url;
    }
    this.#listeners.set(listener.id, listener);
  }

  async #unbind(listener: Listener): Promise<void> {
    if (this.#listeners.get(listener.id) === listener) this.#listeners.delete(listener.id);
    const conn = this.#conn;
    if (!conn) return;
    try {
      await unbindTunnel(conn.mux, listener.id, this.#rpcOptions());
    } catch (err) {
      this.logger.debug('unbind failed', { id: listener.id, err });
    }
  }

  #stopTunnel(cmd: StopTunnelCommand): void {
    const listener = this.#listeners.get(cmd.Id);
    if (!listener) return this.logger.debug('StopTunnel for an unknown tunnel', { id: cmd.Id });
    const reason = { message: cmd.Message, errorCode: cmd.ErrorCode };
    this.logger.warn('the edge stopped a tunnel', { id: cmd.Id, ...reason });
    this.#listeners.delete(cmd.Id);
    listener.markClosed(reason);
    this.emit('tunnel-stopped', listener, reason);
    void this.#unbind(listener);
  }

  #commandHandlers() {
    return {
      logger: this.logger,
      proxy: (stream: Parameters<typeof forwardProxyStream>[0]) =>
        void forwardProxyStream(stream, {
          lookup: (id) => this.#listeners.get(id),
          logger: this.logger,
          resolved: this.#resolved,
          ...(this.#o.tap ? { tap: this.#o.tap } : {}),
          ...(this.#o.traffic ? { traffic: this.#o.traffic } : {}),
        }),
      stop: () => {
        this.logger.info('the edge asked the agent to stop');
        void this.close().then(() => this.emit('stop'));
      },
      restart: () => {
        this.logger.info('the edge asked the agent to restart');
        this.#restartNow = true;
        this.#conn?.mux.close();
      },
      stopTunnel: (cmd: StopTunnelCommand) => this.#stopTunnel(cmd),
    };
  }

  #rpcOptions(): { timeoutMs: number; region?: string } {
    return { timeoutMs: this.#o.timeoutMs ?? 10_000, ...(this.#o.region ? { region: this.#o.region } : {}) };
  }
}
