/**
 * One connection to the edge: TLS, a client muxado session, the heartbeat stream (opened first),
 * then Auth. AgentSession makes a new one for every (re)connect.
 */
import { once } from 'node:events';
import { ErrorCode, PorticoError } from '../errors/catalogue.ts';
import type { Logger } from '../log/logger.ts';
import { StreamType } from '../protocol/messages.ts';
import { startHeartbeat } from '../protocol/heartbeat.ts';
import { rpcCall } from '../protocol/rpc.ts';
import { MuxSession } from '../protocol/session.ts';
import type { MuxStream } from '../protocol/stream.ts';
import { authRequest, parseAuthResponse } from './auth.ts';
import type { AuthResult, ResumeState } from './auth.ts';
import { dialEdge } from './dial.ts';

export interface ConnectionOptions {
  serverAddr: string;
  ca?: string | Buffer | Array<string | Buffer>;
  authtoken: string;
  metadata: string;
  /** Milliseconds between heartbeats. */
  heartbeatIntervalMs: number;
  /** Milliseconds past the interval without an echo before the connection is dropped. */
  heartbeatToleranceMs: number;
  /** Milliseconds for dial + handshake, and again for the Auth reply. */
  timeoutMs: number;
  resume: ResumeState;
  logger: Logger;
  /** Streams the edge opens. */
  onStream(stream: MuxStream): void;
}

export interface EdgeConnection {
  mux: MuxSession;
  auth: AuthResult;
  /** Milliseconds of the last heartbeat round trip; undefined before the first echo. */
  readonly latencyMs: number | undefined;
  /** Stops the heartbeat timer (the mux session is left alone). */
  stopHeartbeat(): void;
}

/** Connects and authenticates; on failure nothing is left open. */
export async function openConnection(o: ConnectionOptions): Promise<EdgeConnection> {
  const socket = await dialEdge({ serverAddr: o.serverAddr, ca: o.ca, timeoutMs: o.timeoutMs });
  const mux = new MuxSession(socket, { role: 'client' });
  mux.on('stream', o.onStream);
  let latencyMs: number | undefined;
  const heartbeat = startHeartbeat(mux, {
    intervalMs: o.heartbeatIntervalMs,
    toleranceMs: o.heartbeatToleranceMs,
    onBeat: (ms) => (latencyMs = ms),
    onTimeout: () => {
      o.logger.warn('heartbeat timed out; reconnecting', { server: o.serverAddr });
      mux.destroy(new PorticoError(ErrorCode.ERR_AGENT_CONNECT, `no heartbeat from ${o.serverAddr}`));
    },
  });
  try {
    const body = authRequest({
      authtoken: o.authtoken,
      metadata: o.metadata,
      heartbeatIntervalMs: o.heartbeatIntervalMs,
      heartbeatToleranceMs: o.heartbeatToleranceMs,
      resume: o.resume,
    });
    const auth = parseAuthResponse(await rpcCall(mux, StreamType.Auth, body, { timeoutMs: o.timeoutMs }));
    return {
      mux,
      auth,
      get latencyMs() {
        return latencyMs;
      },
      stopHeartbeat: () => heartbeat.stop(),
    };
  } catch (err) {
    heartbeat.stop();
    mux.destroy();
    throw err;
  }
}

/** Stops the heartbeat and ends the session with GOAWAY (the mux destroys a socket that lingers). */
export async function closeConnection(conn: EdgeConnection): Promise<void> {
  conn.stopHeartbeat();
  if (conn.mux.isClosed) return;
  const closed = once(conn.mux, 'close');
  conn.mux.close();
  await closed;
}
