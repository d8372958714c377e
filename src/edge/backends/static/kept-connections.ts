/**
 * The kept-alive connections of static backends: one pool per backend, kept across
 * configuration snapshots (which rebuild the backend objects), so a request reuses the
 * connection, and the TLS session, a previous one left idle instead of dialing and handshaking
 * again. A pool is Node's HTTP agent with its connections dialed by dialStatic (the name
 * resolved, the edge's own listeners refused, the connect timeout, the certificate checked).
 * Pools are per backend, never shared between backends or accounts: an upstream may tie state
 * to a connection.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { dialedBy, dialStatic, type StaticTarget, type UpstreamOptions } from './dial.ts';

/**
 * Milliseconds an idle connection is kept: 60 s, as tunnel streams, or a second less than the
 * service's `Keep-Alive: timeout` when it sends one (Node's agent reads the hint), so the edge
 * lets go first. One the service closes sooner without saying so leaves the pool when it
 * closes; one it closes just as a request goes out is the case relayHttp's `stale` covers.
 */
const idleMs = 60_000;
/** Idle connections kept per backend; beyond this a connection is closed once its response is done. */
const maxIdle = 32;

class StaticAgent extends http.Agent {
  // Private fields, not parameter properties: a property named `options` would replace the
  // agent's own (its idle timeout, which also shortens to a service's Keep-Alive hint).
  readonly #target: StaticTarget;
  readonly #upstream: UpstreamOptions;

  constructor(target: StaticTarget, upstream: UpstreamOptions) {
    super({ keepAlive: true, maxFreeSockets: maxIdle, scheduling: 'lifo', timeout: idleMs });
    this.#target = target;
    this.#upstream = upstream;
  }

  override createConnection(options: unknown, callback: (err: Error | null, socket: Duplex) => void): undefined {
    return dialedBy(() => dialStatic(this.#target, this.#upstream, 'http/1.1'))(options, callback);
  }

  /** True when it holds no connection and waits for none. */
  get unused(): boolean {
    return [this.sockets, this.freeSockets, this.requests].every((byName) => Object.keys(byName).length === 0);
  }
}

export class KeptConnections {
  readonly #pools = new Map<string, { target: StaticTarget; agent: StaticAgent }>();

  constructor(readonly options: UpstreamOptions) {}

  /** The pool of backend `id`: a new one when its address changed (the old one's connections closed). */
  for(id: string, target: StaticTarget): http.Agent {
    const kept = this.#pools.get(id);
    if (kept && sameTarget(kept.target, target)) return kept.agent;
    kept?.agent.destroy();
    // Pools of backends gone or idle for long hold nothing: dropped, so churn cannot grow the map.
    for (const [other, pool] of this.#pools) if (pool.agent.unused) this.#pools.delete(other);
    const agent = new StaticAgent(target, this.options);
    this.#pools.set(id, { target, agent });
    return agent;
  }

  /** Closes every kept connection (the edge is stopping). */
  close(): void {
    for (const { agent } of this.#pools.values()) agent.destroy();
    this.#pools.clear();
  }
}

function sameTarget(a: StaticTarget, b: StaticTarget): boolean {
  return a.host === b.host && a.port === b.port && a.tls === b.tls;
}
