import type { Backend, ConnExchange, HttpExchange, Outcome } from '../backend.ts';
import type { Upstream } from '../upstream.ts';

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

  // Lazily: a later child (its round-robin) is consulted only when the earlier ones could not open.
  *upstreams(): Iterable<Upstream> {
    for (const backend of this.backends) yield* backend.upstreams();
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
