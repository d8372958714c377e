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

/** A listening socket: binds `addr` on start (`port` is then the bound port) and closes with its connections. */
export class Listener implements EdgePart {
  #port = 0;

  constructor(
    readonly name: string,
    readonly server: net.Server,
    private readonly addr: ListenAddr,
  ) {
    trackConnections(server);
  }

  /** The bound port (0 before start). */
  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    this.#port = await listen(this.server, this.addr, this.name);
  }

  stopAccepting(): void {
    this.server.close();
  }

  close(): Promise<void> {
    return closeServer(this.server);
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
