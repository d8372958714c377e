import type { Backend, ConnExchange, HttpExchange, Outcome } from '../backend.ts';
import type { Upstream } from '../upstream.ts';

/** Splits traffic across its backends in proportion to their weights (0..10000). */
export class WeightedBackend implements Backend {
  readonly kind = 'weighted';
  readonly children: readonly Backend[];
  private readonly total: number;

  constructor(
    readonly id: string,
    private readonly entries: ReadonlyArray<{ backend: Backend; weight: number }>,
    private readonly random: () => number = Math.random,
  ) {
    this.total = entries.reduce((sum, e) => sum + e.weight, 0);
    this.children = entries.map((e) => e.backend);
  }

  /** One backend, chosen with probability weight / total. */
  pick(): Backend | undefined {
    let r = this.random() * this.total;
    for (const entry of this.entries) {
      if (entry.weight === 0) continue;
      if (r < entry.weight) return entry.backend;
      r -= entry.weight;
    }
    return undefined;
  }

  upstreams(): Iterable<Upstream> {
    return this.pick()?.upstreams() ?? [];
  }

  forwardHttp(ex: HttpExchange): Promise<Outcome> {
    return this.pick()?.forwardHttp(ex) ?? Promise.resolve('unavailable');
  }

  forwardConn(ex: ConnExchange): Promise<Outcome> {
    return this.pick()?.forwardConn(ex) ?? Promise.resolve('unavailable');
  }
}
