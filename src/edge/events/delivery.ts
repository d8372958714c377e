/**
 * One destination's delivery: a bounded in-memory queue and one loop that sends it in batches,
 * retrying a failed batch with exponential backoff. Pushing never waits and never throws, so
 * traffic is never slowed by a slow or dead destination: when the queue is full the new event
 * is dropped and counted. A destination whose stored target the edge cannot use has no sender:
 * its events are counted as dropped too.
 */
import { ErrorCode } from '../../errors/catalogue.ts';
import type { Logger } from '../../log/logger.ts';
import type { EventJson } from './envelope.ts';

/**
 * Sends one batch. Rejects when the destination did not take all of it: the batch is then
 * retried, as the same array. Resolves with how many of its events the destination refused for
 * good (a retry could not change that; counted as dropped), or with nothing when it took them.
 */
export interface Sender {
  send(batch: readonly EventJson[]): Promise<{ discarded: number } | void>;
  /**
   * After a failed send, how many of `batch` the destination has not taken (a sender that sends
   * a batch in parts knows; without it, all of them).
   */
  undelivered?(batch: readonly EventJson[]): number;
  /** Releases what the sender holds open (connections), once its delivery has stopped. */
  close?(): void;
}

export interface DeliveryLimits {
  /** Events held per destination; past it new events are dropped. Default 10000. */
  maxQueue: number;
  /** Events per batch. Default 100. */
  maxBatch: number;
  /** Milliseconds before the first retry; doubled each time up to `retryMaxMs`. Default 500. */
  retryBaseMs: number;
  /** Longest wait between retries, in milliseconds. Default 30000. */
  retryMaxMs: number;
  /** Attempts per batch before it is dropped. Default 8. */
  maxAttempts: number;
}

export const deliveryDefaults: DeliveryLimits = {
  maxQueue: 10_000,
  maxBatch: 100,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  maxAttempts: 8,
};

/** Counters of one destination (what `EventDispatcher.stats()` reports). */
export interface DeliveryStats {
  /** Events waiting, including a batch being sent. */
  queued: number;
  /** Events delivered. */
  delivered: number;
  /** Events dropped: queue full, retries exhausted, or a target Portico cannot deliver to. */
  dropped: number;
  /** Failed attempts that were retried. */
  retries: number;
  /** The last delivery error, if the last attempt failed. */
  lastError?: string;
}

/** Milliseconds between log lines about drops of one destination. */
const dropLogEveryMs = 10_000;

export class Delivery {
  readonly #queue: EventJson[] = [];
  #inFlight: readonly EventJson[] = [];
  #running = false;
  #stopped = false;
  #wake: (() => void) | undefined;
  #lastDropLog = 0;
  #unloggedDrops = 0;
  readonly stats: DeliveryStats = { queued: 0, delivered: 0, dropped: 0, retries: 0 };

  constructor(
    readonly destinationId: string,
    /** Undefined: the edge cannot use this stored target; everything pushed is dropped. */
    private readonly sender: Sender | undefined,
    private readonly limits: DeliveryLimits,
    private readonly logger: Logger,
  ) {}

  /**
   * Queues `events` (dropping what does not fit) and starts sending. Never waits. One by one, not
   * spread into a call: a whole queue moved or restored would pass the call stack's limit of
   * arguments (some 150,000) when `maxQueue` is set that high.
   */
  push(events: readonly EventJson[]): void {
    if (this.#stopped || !this.sender) return this.#drop(events.length, 'undeliverable target');
    const taken = Math.min(this.#room(), events.length);
    for (let i = 0; i < taken; i++) this.#queue.push(events[i]!);
    if (events.length > taken) this.#drop(events.length - taken, 'queue full');
    this.#count();
    if (!this.#running) void this.#run();
  }

  /**
   * Queues the event `make` returns when there is room for it, like `push`; when there is none,
   * drops and counts it without calling `make`, so a full queue costs the caller nothing more.
   */
  offer(make: () => EventJson): void {
    if (this.#stopped || !this.sender) return this.#drop(1, 'undeliverable target');
    if (this.#room() === 0) return this.#drop(1, 'queue full');
    this.#queue.push(make());
    this.#count();
    if (!this.#running) void this.#run();
  }

  /** Stops sending; returns what was not delivered (the batch in flight first), to keep for later. */
  stop(): EventJson[] {
    this.#stopped = true;
    this.#wake?.();
    const left = [...this.#inFlight, ...this.#queue.splice(0)];
    this.#inFlight = [];
    this.#count();
    this.sender?.close?.();
    return left;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (!this.#stopped && this.#queue.length) {
        this.#inFlight = this.#queue.splice(0, this.limits.maxBatch);
        await this.#sendWithRetries(this.#inFlight);
        this.#inFlight = [];
        this.#count();
      }
    } finally {
      this.#running = false;
    }
  }

  async #sendWithRetries(batch: readonly EventJson[]): Promise<void> {
    for (let attempt = 1; !this.#stopped; attempt++) {
      try {
        const discarded = (await this.sender!.send(batch))?.discarded ?? 0;
        this.stats.delivered += batch.length - discarded;
        this.stats.dropped += discarded;
        delete this.stats.lastError;
        return;
      } catch (err) {
        if (this.#stopped) return;
        this.stats.lastError = err instanceof Error ? err.message : String(err);
        if (attempt >= this.limits.maxAttempts) {
          const left = this.sender!.undelivered?.(batch) ?? batch.length;
          this.logger.warn('event delivery failed; batch dropped', {
            code: ErrorCode.ERR_EVENT_DELIVERY_FAILED,
            destination: this.destinationId,
            events: left,
            attempts: attempt,
            err: this.stats.lastError,
          });
          this.stats.delivered += batch.length - left;
          this.stats.dropped += left;
          return;
        }
        this.stats.retries++;
        await this.#sleep(backoffMs(attempt, this.limits));
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #drop(count: number, reason: string): void {
    if (count <= 0) return;
    this.stats.dropped += count;
    this.#unloggedDrops += count;
    const now = Date.now();
    if (now - this.#lastDropLog < dropLogEveryMs) return;
    this.logger.warn('events dropped', { destination: this.destinationId, reason, dropped: this.#unloggedDrops });
    this.#lastDropLog = now;
    this.#unloggedDrops = 0;
  }

  /** Events the queue can still take, counting the batch in flight. */
  #room(): number {
    return Math.max(0, this.limits.maxQueue - this.#queue.length - this.#inFlight.length);
  }

  #count(): void {
    this.stats.queued = this.#queue.length + this.#inFlight.length;
  }
}

/** Exponential backoff with jitter: base·2^(attempt-1), capped, then 50–100% of it. */
export function backoffMs(attempt: number, limits: Pick<DeliveryLimits, 'retryBaseMs' | 'retryMaxMs'>): number {
  const full = Math.min(limits.retryMaxMs, limits.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(full * (0.5 + Math.random() * 0.5));
}
