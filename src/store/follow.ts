import { ACCOUNT_KIND, type StoreChange, type StoreChanges } from './changes.ts';

/**
 * Keeps something in step with the store: `rebuild` runs at start and again after every change
 * to one of `kinds`, and after an account's deletion (its records of every kind went with it).
 * Changes that arrive together (an edge and its routes, written in one tick) rebuild once; a
 * change during a rebuild makes one more.
 */
export class StoreFollower {
  #pending: Promise<void> | undefined;
  #dirty = false;
  readonly #onChange = (change: StoreChange) => {
    if (change.kind === ACCOUNT_KIND || this.kinds.includes(change.kind)) this.#schedule();
  };

  constructor(
    private readonly changes: StoreChanges,
    private readonly kinds: readonly string[],
    private readonly rebuild: () => Promise<void>,
  ) {}

  /** Rebuilds once and starts following changes. */
  async start(): Promise<void> {
    this.changes.on('change', this.#onChange);
    await this.rebuild();
  }

  stop(): void {
    this.changes.off('change', this.#onChange);
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
