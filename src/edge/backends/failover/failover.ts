import type { Tunnel } from '../../tunnels/tunnel.ts';
import type { Backend, ConnExchange, HttpExchange, Outcome } from '../backend.ts';

/** Tries its backends in order; the first that serves wins. */
export class FailoverBackend implements Backend {
  readonly kind = 'failover';

  get children(): readonly Backend[] {
    return this.backends;
  }

  constructor(
    readonly id: string,
    private readonly backends: readonly Backend[],
  ) {}

  pickTunnel(): Tunnel | undefined {
    for (const backend of this.backends) {
      const tunnel = backend.pickTunnel();
      if (tunnel) return tunnel;
    }
    return undefined;
  }

  async forwardHttp(ex: HttpExchange): Promise<Outcome> {
    for (const backend of this.backends) if ((await backend.forwardHttp(ex)) === 'served') return 'served';
    return 'unavailable';
  }

  async forwardConn(ex: ConnExchange): Promise<Outcome> {
    for (const backend of this.backends) if ((await backend.forwardConn(ex)) === 'served') return 'served';
    return 'unavailable';
  }
}
