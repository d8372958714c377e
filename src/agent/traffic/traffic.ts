/**
 * AgentTraffic: what passes through an agent's tunnels, for its status screen and request log.
 * The forwarder reports every proxied connection; HTTP connections get a passive tap that turns
 * them into requests. Memory is bounded: counters, a fixed sample of durations and a ring of
 * the most recent requests.
 */
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { ConnectionCounters } from './connection-counters.ts';
import type { ConnectionStats } from './connection-counters.ts';
import { tapHttp } from './http-tap.ts';
import type { HttpExchange } from './http-tap.ts';

/** One HTTP request that went through a tunnel. */
export interface HttpRequestRecord extends HttpExchange {
  /** The tunnel's name (`command_line`, a config file name), or its URL when unnamed. */
  tunnel: string;
  /** The public client's address (`ip:port`) as the edge reported it. */
  clientAddr: string;
}

/** The proxied connection being reported. */
export interface TrafficConnection {
  tunnel: string;
  clientAddr: string;
}

export interface AgentTrafficOptions {
  /** How many recent requests recent() keeps. Default 100. */
  recentRequests?: number;
  /** For tests: milliseconds now. Default performance.now. */
  now?: () => number;
}

export type AgentTrafficEvents = { request: [record: HttpRequestRecord] };

export class AgentTraffic extends EventEmitter<AgentTrafficEvents> {
  readonly #counters: ConnectionCounters;
  readonly #recent: HttpRequestRecord[] = [];
  readonly #capacity: number;
  #next = 0;

  constructor(options: AgentTrafficOptions = {}) {
    super();
    this.#counters = new ConnectionCounters(options.now);
    this.#capacity = Math.max(1, options.recentRequests ?? 100);
  }

  /**
   * Counts a connection until `client` closes. With `http`, taps `client` (requests) and
   * `upstream` (responses) once the upstream is there; returns the function that does so.
   */
  connection(conn: TrafficConnection, client: Readable): { observeHttp(upstream: Readable): void } {
    const closed = this.#counters.opened();
    let closeTap = () => {};
    client.once('close', () => {
      closed();
      closeTap();
    });
    return {
      observeHttp: (upstream) => {
        if (client.destroyed) return;
        const tap = tapHttp(client, upstream, { onExchange: (exchange) => this.#record({ ...exchange, ...conn }) });
        closeTap = () => tap.close();
      },
    };
  }

  /** The connection counters now. */
  stats(): ConnectionStats {
    return this.#counters.stats();
  }

  /** Up to `n` most recent requests, newest first. */
  recent(n = this.#capacity): HttpRequestRecord[] {
    const out: HttpRequestRecord[] = [];
    const size = Math.min(this.#recent.length, n);
    for (let i = 1; i <= size; i++) out.push(this.#recent[(this.#next - i + this.#capacity) % this.#capacity]!);
    return out;
  }

  #record(record: HttpRequestRecord): void {
    this.#recent[this.#next] = record;
    this.#next = (this.#next + 1) % this.#capacity;
    this.emit('request', record);
  }
}
