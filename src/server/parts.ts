import type net from 'node:net';
import type { ListenAddr } from '../edge/config.ts';
import { closeServer, listen, trackConnections } from '../edge/listeners/listen.ts';

/**
 * One part of the running edge. `startEdge` keeps them in one list: they start in its order
 * and close in the reverse, so the order of start-up and shutdown is written in one place.
 */
export interface EdgePart {
  readonly name: string;
  start(): Promise<void>;
  /** Takes no new work from now on (the first step of a drain); work in flight goes on. */
  stopAccepting?(): void;
  close(): Promise<void>;
}

/**
 * A listening socket: binds `addr` on start (`port` is then the bound port) and closes with its
 * connections. Given a function instead of a server, it makes the server on start: a part whose
 * code is loaded then (the API) costs nothing to the parts started before it.
 */
export class Listener<S extends net.Server = net.Server> implements EdgePart {
  #port = 0;
  #server: S | undefined;

  constructor(
    readonly name: string,
    private readonly make: S | (() => Promise<S>),
    private readonly addr: ListenAddr,
  ) {
    if (typeof make !== 'function') this.#server = trackConnections(make);
  }

  /** The bound port (0 before start). */
  get port(): number {
    return this.#port;
  }

  /** The server, once made (always, for one given as a server). */
  get server(): S | undefined {
    return this.#server;
  }

  async start(): Promise<void> {
    const server = (this.#server ??= trackConnections(await (this.make as () => Promise<S>)()));
    this.#port = await listen(server, this.addr, this.name);
  }

  stopAccepting(): void {
    this.#server?.close();
  }

  async close(): Promise<void> {
    if (this.#server) await closeServer(this.#server);
  }
}

/** A part with nothing to start, closed by `close`. */
export function closing(name: string, close: () => unknown): EdgePart {
  return { name, start: async () => {}, close: async () => void (await close()) };
}

/** Starts `parts` in order; if one fails, closes those already started (in reverse) and rethrows. */
export async function startParts(parts: readonly EdgePart[]): Promise<void> {
  for (const [i, part] of parts.entries()) {
    try {
      await part.start();
    } catch (err) {
      await closeParts(parts.slice(0, i));
      throw err;
    }
  }
}

/** Closes `parts` in reverse order; a part that fails to close does not keep the others open. */
export async function closeParts(parts: readonly EdgePart[]): Promise<void> {
  for (const part of [...parts].reverse()) await part.close().catch(() => {});
}
