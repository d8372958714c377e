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

/**
 * One keep-alive http.Agent per tunnel whose "connections" are proxy streams, so Node's HTTP
 * client writes requests onto the tunnel and the edge has no HTTP codec of its own.
 */
export class TunnelAgents {
  private readonly agents = new WeakMap<Tunnel, Map<string, http.Agent>>();

  /** The agent for requests to `tunnel` announced as `proto` (and, for labeled tunnels, an edge type). */
  for(tunnel: Tunnel, proto: 'http' | 'https', edgeType: '' | '3' = ''): http.Agent {
    let byKind = this.agents.get(tunnel);
    if (!byKind) this.agents.set(tunnel, (byKind = new Map()));
    let agent = byKind.get(proto + edgeType);
    if (!agent) {
      agent = new http.Agent({ keepAlive: true, maxFreeSockets: maxFreeStreams, scheduling: 'lifo' });
      agent.createConnection = (options: http.ClientRequestArgs & { clientAddr?: string }, done?: (err: Error | null, socket: Duplex) => void) => {
        try {
          done!(null, asSocket(tunnel.openStream({ clientAddr: options.clientAddr ?? '', proto, passthroughTls: false, edgeType })));
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
}
