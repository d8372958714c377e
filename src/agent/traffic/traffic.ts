/**
 * AgentTraffic: what passes through an agent's tunnels, for its status screen and request log.
 * The forwarder reports every proxied connection; HTTP connections get a passive tap that turns
 * them into requests. Memory is bounded: counters, a fixed sample of durations and, for the
 * status screen, a ring of the most recent requests.
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
  /** Capture heads and bodies of this connection's requests (AgentTrafficOptions.captureBodyBytes). Default true. */
  capture?: boolean;
}

export interface AgentTrafficOptions {
  /**
   * How many recent requests recent() keeps. Default 0: none. Only the status screen reads them,
   * and a ring of them costs under load: a record kept past two young collections is moved to
   * V8's old generation, where it stays as garbage until a full collection (bench/README.md).
   */
  recentRequests?: number;
  /**
   * Capture request and response heads and the first this many bytes of each body, for the
   * inspector. Default undefined: nothing is captured.
   */
  captureBodyBytes?: number;
  /** For tests: milliseconds now. Default performance.now. */
  now?: () => number;
}

/** One tunnel's counters: its connections, its HTTP requests and the bytes both ways. */
export interface TunnelTraffic {
  conns: ConnectionCounters;
  http: ConnectionCounters;
  /** Bytes from public clients to the service. */
  bytesIn: number;
  /** Bytes from the service back to clients. */
  bytesOut: number;
  /** HTTP requests by the class of their status: index 1 to 5 for 1xx to 5xx, 0 when none came. */
  requestsByClass: number[];
}

export type AgentTrafficEvents = {
  request: [record: HttpRequestRecord];
  /** An HTTP connection switched protocols (WebSocket): the streams after the 101, and the response bytes already read. */
  switched: [record: HttpRequestRecord, streams: { requests: Readable; responses: Readable; responseRest: Buffer }];
};

/** What the forwarder does with a counted connection once the upstream is dialled. */
export interface ObservedConnection {
  /** Counts the bytes both ways, and with `http` taps `client` (requests) and `upstream` (responses). */
  attach(upstream: Readable, http: boolean): void;
}

export class AgentTraffic extends EventEmitter<AgentTrafficEvents> {
  readonly #counters: ConnectionCounters;
  readonly #tunnels = new Map<string, TunnelTraffic>();
  readonly #recent: HttpRequestRecord[] = [];
  readonly #capacity: number;
  readonly #o: AgentTrafficOptions;
  #next = 0;

  constructor(options: AgentTrafficOptions = {}) {
    super();
    this.#o = options;
    this.#counters = new ConnectionCounters(options.now);
    this.#capacity = Math.max(0, Math.floor(options.recentRequests ?? 0));
  }

  /** Counts a connection until `client` closes; attach() the upstream once it is there. */
  connection(conn: TrafficConnection, client: Readable): ObservedConnection {
    const tunnel = this.tunnel(conn.tunnel);
    const closed = [this.#counters.opened(), tunnel.conns.opened()];
    let closeTap = () => {};
    client.once('close', () => {
      closed.forEach((close) => close());
      closeTap();
    });
    return {
      attach: (upstream, http) => {
        if (client.destroyed) return;
        client.on('data', (chunk: Buffer) => void (tunnel.bytesIn += chunk.length));
        upstream.on('data', (chunk: Buffer) => void (tunnel.bytesOut += chunk.length));
        if (!http) return;
        const capture = conn.capture !== false ? this.#o.captureBodyBytes : undefined;
        let last: HttpRequestRecord | undefined;
        const tap = tapHttp(client, upstream, {
          onExchange: (exchange) => {
            // The tap made this exchange for us alone: it becomes the record (no copy per request).
            const record = exchange as HttpRequestRecord;
            record.tunnel = conn.tunnel;
            record.clientAddr = conn.clientAddr;
            this.#record((last = record));
          },
          ...(capture !== undefined ? { captureBodyBytes: capture } : {}),
          // Called right after onExchange for the 101: `last` is its record.
          onSwitch: (_exchange, responseRest) => {
            if (last) this.emit('switched', last, { requests: client, responses: upstream, responseRest });
          },
        });
        closeTap = () => tap.close();
      },
    };
  }

  /** The connection counters of every tunnel together. */
  stats(): ConnectionStats {
    return this.#counters.stats();
  }

  /** The counters of the tunnel named `name` (created empty when it has none yet). */
  tunnel(name: string): TunnelTraffic {
    let t = this.#tunnels.get(name);
    if (!t) {
      t = {
        conns: new ConnectionCounters(this.#o.now),
        http: new ConnectionCounters(this.#o.now),
        bytesIn: 0,
        bytesOut: 0,
        requestsByClass: [0, 0, 0, 0, 0, 0],
      };
      this.#tunnels.set(name, t);
    }
    return t;
  }

  /** Every tunnel's counters, by name. */
  tunnels(): ReadonlyMap<string, TunnelTraffic> {
    return this.#tunnels;
  }

  /** Up to `n` most recent requests, newest first, without their captured heads and bodies. */
  recent(n = this.#capacity): HttpRequestRecord[] {
    const out: HttpRequestRecord[] = [];
    const size = Math.min(this.#recent.length, n);
    for (let i = 1; i <= size; i++) out.push(this.#recent[(this.#next - i + this.#capacity) % this.#capacity]!);
    return out;
  }

  #record(record: HttpRequestRecord): void {
    const tunnel = this.tunnel(record.tunnel);
    tunnel.http.record(record.durationMs);
    const status = record.status ?? 0;
    tunnel.requestsByClass[status >= 100 && status < 600 ? Math.floor(status / 100) : 0]! += 1;
    if (this.#capacity > 0) {
      // The ring keeps no captured heads or bodies: those are bounded by whoever keeps them (the inspector).
      this.#recent[this.#next] = record.request || record.response ? withoutCaptures(record) : record;
      this.#next = (this.#next + 1) % this.#capacity;
    }
    this.emit('request', record);
  }
}

/** `record` without its captured heads and bodies. */
function withoutCaptures(record: HttpRequestRecord): HttpRequestRecord {
  const { request: _request, response: _response, ...summary } = record;
  return summary;
}
