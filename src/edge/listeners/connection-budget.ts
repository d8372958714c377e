import { readFileSync } from 'node:fs';
import type net from 'node:net';

/** File descriptors kept back from public connections: agents, the API, the store, files. */
const reservedDescriptors = 512;
/** The cap when the process's descriptor limit cannot be read. */
const fallbackCap = 10_000;

/**
 * One cap on the public connections of every public listener together (HTTP, HTTPS, TCP
 * endpoints and TCP edges). A connection past it is closed at once, so a flood of public
 * connections cannot take the descriptors the agent port and the API need.
 */
export class ConnectionBudget {
  private open = 0;

  constructor(readonly max: number) {}

  /** Connections counted now. */
  get used(): number {
    return this.open;
  }

  /** Counts `socket` until it closes; false (and the socket destroyed) when the cap is reached. */
  admit(socket: net.Socket): boolean {
    if (this.open >= this.max) {
      socket.destroy();
      return false;
    }
    this.open++;
    socket.once('close', () => this.open--);
    return true;
  }

  /** A connection handler that runs `handler` only for connections within the cap. */
  wrap(handler: (socket: net.Socket) => void): (socket: net.Socket) => void {
    return (socket) => {
      if (this.admit(socket)) handler(socket);
    };
  }

  /** Counts every connection an HTTP `server` accepts, closing those past the cap before its parser reads them. */
  guard<S extends net.Server>(server: S): S {
    server.prependListener('connection', (socket: net.Socket) => void this.admit(socket));
    return server;
  }
}

/**
 * The default cap: the process's open-file limit less what the edge keeps for itself, or
 * 10 000 where the limit cannot be read (it is read from /proc on Linux).
 */
export function defaultMaxConnections(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isFinite(soft) && soft > 0) return Math.max(64, Math.min(fallbackCap * 10, soft - reservedDescriptors));
  } catch {
    // Not Linux: fall back below.
  }
  return fallbackCap;
}
