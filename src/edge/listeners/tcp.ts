import net from 'node:net';
import { ErrorCode, PorticoError } from '../../errors/catalogue.ts';
import type { PortRange } from '../config.ts';
import type { TcpListeners } from '../tunnels/registry.ts';
import type { ConnectionBudget } from './connection-budget.ts';
import { closeServer, listen, trackConnections } from './listen.ts';

/** How many random ports of the range are tried before giving up. */
const maxAttempts = 50;

/**
 * Opens public TCP listeners on `host`, on requested ports or random ports of `range`; their
 * connections count against `budget`.
 */
export function createTcpListeners(
  host: string,
  range: PortRange,
  budget: ConnectionBudget,
): TcpListeners & { stopAccepting(): void; closeAll(): void; ports(): number[] } {
  /** Each open listener and its bound port. */
  const open = new Map<net.Server, number>();
  const tryPort = async (port: number, onConnection: (socket: net.Socket) => void) => {
    const server = trackConnections(
      net.createServer({ allowHalfOpen: true, noDelay: true }, budget.wrap(onConnection)),
    );
    const bound = await listen(server, { host, port }, 'TCP endpoint');
    open.set(server, bound);
    return {
      port: bound,
      close: () => {
        open.delete(server);
        void closeServer(server);
      },
    };
  };
  return {
    async open(port, onConnection) {
      if (port !== 0) {
        try {
          return await tryPort(port, onConnection);
        } catch (err) {
          throw new PorticoError(ErrorCode.ERR_ADDR_TAKEN, `port ${port} is in use`, { cause: err });
        }
      }
      if (range.min === 0) return tryPort(0, onConnection);
      for (let i = 0; i < maxAttempts; i++) {
        const candidate = range.min + Math.floor(Math.random() * (range.max - range.min + 1));
        try {
          return await tryPort(candidate, onConnection);
        } catch {
          // Taken by someone else: try another port of the range.
        }
      }
      throw new PorticoError(ErrorCode.ERR_ADDR_EXHAUSTED, `${range.min}-${range.max}`);
    },
    /** The ports listened on now (a static backend may not dial them: backends/static/own-listeners.ts). */
    ports() {
      return [...open.values()];
    },
    /** Stops every listener accepting; their connections stay (a drain). */
    stopAccepting() {
      for (const server of open.keys()) server.close();
    },
    closeAll() {
      for (const server of open.keys()) void closeServer(server);
      open.clear();
    },
  };
}

/**
 * A port of `range` that `taken` does not claim and that nothing on this machine listens on
 * right now; with range 0 (tests) whatever free port the OS hands out.
 */
export async function allocatePort(range: PortRange, taken: (port: number) => Promise<boolean>): Promise<number> {
  for (let i = 0; i < maxAttempts; i++) {
    const candidate = range.min === 0 ? 0 : range.min + Math.floor(Math.random() * (range.max - range.min + 1));
    const probe = net.createServer();
    try {
      const port = await listen(probe, { host: '', port: candidate }, 'port probe');
      await closeServer(probe);
      if (!(await taken(port))) return port;
    } catch {
      // In use right now: try another.
    }
  }
  throw new PorticoError(ErrorCode.ERR_ADDR_EXHAUSTED, range.min === 0 ? 'no free port' : `${range.min}-${range.max}`);
}
