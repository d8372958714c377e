/**
 * A bounded, least-recently-used cache of secure contexts by host name. Concurrent requests
 * for a missing name share one `create` call; a failed creation is not cached.
 */
import type { SecureContext } from 'node:tls';
import type { Pem } from './local-ca.ts';

/** A cached context, the pair it was made from, and the time (ms since epoch) after which it must be created again. */
export interface CachedContext {
  context: SecureContext;
  pem: Pem;
  refreshAt: number;
}

export class ContextCache {
  readonly #max: number;
  // Map iteration order is insertion order: re-inserting on every hit makes the first key the LRU one.
  readonly #entries = new Map<string, Promise<CachedContext>>();

  /** `max`: names kept before the least recently used is dropped. */
  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxCached must be a positive integer, got ${max}`);
    this.#max = max;
  }

  /** Number of names cached or being created. */
  get size(): number {
    return this.#entries.size;
  }

  /** The context for `name`, calling `create` when it is missing or due for refresh. */
  async get(name: string, create: () => Promise<CachedContext>, now = Date.now()): Promise<SecureContext> {
    return (await this.entry(name, create, now)).context;
  }

  /** Like `get`, with the pair the context was made from. */
  async entry(name: string, create: () => Promise<CachedContext>, now = Date.now()): Promise<CachedContext> {
    const hit = this.#entries.get(name);
    if (hit) {
      const entry = await hit;
      if (entry.refreshAt > now) return this.#touch(name, hit, entry);
      if (this.#entries.get(name) === hit) this.#entries.delete(name);
    }
    return this.#start(name, create);
  }

  #touch(name: string, promise: Promise<CachedContext>, entry: CachedContext): CachedContext {
    if (this.#entries.get(name) === promise) {
      this.#entries.delete(name);
      this.#entries.set(name, promise);
    }
    return entry;
  }

  #start(name: string, create: () => Promise<CachedContext>): Promise<CachedContext> {
    const pending = this.#entries.get(name);
    if (pending) return pending;
    const promise = create();
    this.#entries.set(name, promise);
    promise.catch(() => {
      if (this.#entries.get(name) === promise) this.#entries.delete(name);
    });
    this.#evict();
    return promise;
  }

  #evict(): void {
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }
}
