import type { ResourceChange, Resources } from './resources.ts';

/**
 * Keeps something in step with the store: `rebuild` runs at start and again after every change
 * to one of `kinds`. Changes that arrive together (an edge and its routes, written in one tick)
 * rebuild once; a change during a rebuild makes one more.
 */
export class StoreFollower {
  #pending: Promise<void> | undefined;
  #dirty = false;
  readonly #onChange = (change: ResourceChange) => {
    if (this.kinds.includes(change.kind)) this.#schedule();
  };

  constructor(
    private readonly resources: Resources,
    private readonly kinds: readonly string[],
    private readonly rebuild: () => Promise<void>,
  ) {}

  /** Rebuilds once and starts following changes. */
  async start(): Promise<void> {
    this.resources.changes.on('change', this.#onChange);
    await this.rebuild();
  }

  stop(): void {
    this.resources.changes.off('change', this.#onChange);
  }

  /** Resolves once every change announced so far is rebuilt. */
  async settled(): Promise<void> {
    while (this.#pending) await this.#pending;
  }

  #schedule(): void {
    this.#dirty = true;
    this.#pending ??= (async () => {
      await new Promise((r) => setImmediate(r));
      while (this.#dirty) {
        this.#dirty = false;
        await this.rebuild();
      }
      this.#pending = undefined;
    })();
  }
}
