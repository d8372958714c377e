import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Tunnel } from '../tunnels/tunnel.ts';
import { asSocket } from './tunnel-socket.ts';

/**
 * Idle tunnel streams kept open per tunnel for reuse by later requests. Kept above the number
 * of concurrent clients a busy endpoint sees: every stream closed and reopened costs a new
 * connection to the local service on the agent side (the bench showed a quarter of requests
 * paying it at 32).
 */
const maxFreeStreams = 256;

export interface StreamPoolsOptions {
  /** EdgeTimeouts.upstreamHeader. Default 100 000. */
  upstreamHeaderTimeoutMs?: number;
}

/**
 * One keep-alive http.Agent per tunnel whose "connections" are proxy streams, so Node's HTTP
 * client writes requests onto the tunnel and the edge has no HTTP codec of its own.
 */
export class StreamPools {
  private readonly agents = new WeakMap<Tunnel, Map<string, http.Agent>>();
  readonly upstreamHeaderTimeoutMs: number;

  constructor(options: StreamPoolsOptions = {}) {
    this.upstreamHeaderTimeoutMs = options.upstreamHeaderTimeoutMs ?? 100_000;
  }

  /** The agent for requests to `tunnel` announced as `proto` (and, for labeled tunnels, an edge type). */
  for(tunnel: Tunnel, proto: 'http' | 'https', edgeType: '' | '3' = ''): http.Agent {
    let byKind = this.agents.get(tunnel);
    if (!byKind) this.agents.set(tunnel, (byKind = new Map<string, http.Agent>()));
    let agent = byKind.get(proto + edgeType);
    if (!agent) {
      agent = new http.Agent({ keepAlive: true, maxFreeSockets: maxFreeStreams, scheduling: 'lifo' });
      agent.createConnection = (
        options: http.ClientRequestArgs & { clientAddr?: string },
        done?: (err: Error | null, socket: Duplex) => void,
      ) => {
        try {
          done!(
            null,
            pooledStream(tunnel, { clientAddr: options.clientAddr ?? '', proto, passthroughTls: false, edgeType }),
          );
        } catch (err) {
          // Reported to the waiting request as its error, never thrown from the agent's queue.
          done!(err as Error, undefined as unknown as Duplex);
        }
        return undefined;
      };
      tunnel.session.mux.once('close', () => agent!.destroy());
      byKind.set(proto + edgeType, agent);
    }
    return agent;
  }

  /** Closes the idle streams kept for `tunnel`, so the next request opens a fresh one. */
  dropIdle(tunnel: Tunnel): void {
    for (const agent of this.agents.get(tunnel)?.values() ?? []) {
      for (const streams of Object.values(agent.freeSockets))
        for (const stream of [...(streams ?? [])]) stream.destroy();
    }
  }
}

/**
 * A proxy stream for the pool. Once the agent ends it (its local service closed an idle
 * keep-alive connection), it can carry no further request: end it here too, so it closes and
 * leaves the pool the way a TCP socket without half-open would, instead of taking the next
 * request into a connection nobody reads.
 */
function pooledStream(tunnel: Tunnel, target: Parameters<Tunnel['openStream']>[0]) {
  const stream = asSocket(tunnel.openStream(target));
  stream.once('end', () => stream.end());
  return stream;
}
