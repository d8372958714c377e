import type net from 'node:net';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import { errorCodeFor } from '../proxy/forward-http.ts';
import { asSocket } from '../proxy/tunnel-socket.ts';
import type { Tunnel } from '../tunnels/tunnel.ts';

/** What a connection to an upstream carries, and where it came from (the stream origin, for tunnels). */
export interface UpstreamConn {
  /** "ip:port" of the client. */
  clientAddr: string;
  /** "http" or "https": an upgrade request follows (ALPN http/1.1 on TLS); "tcp": raw bytes (websocket_tcp_converter). */
  proto: 'http' | 'https' | 'tcp';
  /** "" for agent endpoints, "3" for an HTTPS edge's labeled tunnels. */
  edgeType: '' | '3';
}

/**
 * Where a connection the edge carries whole (a WebSocket upgrade, the converter's bytes) is
 * opened: a tunnel, or a static backend's address.
 */
export interface Upstream {
  /**
   * A tunnel stream (dressed as a socket) or a socket dialed to the address. Rejects, having
   * sent nothing, with a PorticoError whose code is the client's answer; the next upstream may
   * be tried instead.
   */
  open(conn: UpstreamConn): Promise<net.Socket>;
  /** The client's answer when an opened connection is lost before the service answered. */
  readonly lostCode: ErrorCode;
  /** The tunnel its connections go to; undefined for a static backend's address. */
  readonly tunnel?: Tunnel;
}

/** `tunnel` as an upstream: each open is a new proxy stream. */
export function tunnelUpstream(tunnel: Tunnel): Upstream {
  return {
    lostCode: ErrorCode.ERR_EDGE_AGENT_GONE,
    tunnel,
    async open(conn) {
      try {
        return asSocket(tunnel.openStream({ ...conn, passthroughTls: false }));
      } catch (err) {
        throw new PorticoError(errorCodeFor(err), `tunnel ${tunnel.id}`, { cause: err });
      }
    },
  };
}
