import { backoffDelay } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';

export interface ReconnectorOptions {
  backoff?: BackoffOptions;
  /** Milliseconds a connection must stay up before the attempt counter resets. Default 10 000. */
  stableAfterMs?: number;
  /** One reconnect attempt; a rejection schedules the next one. */
  attempt(): Promise<void>;
  /** Called before each wait. */
  onSchedule?(attempt: number, delayMs: number): void;
  /** Called when an attempt failed. */
  onFailure?(err: unknown, attempt: number): void;
  now?: () => number;
}

/**
 * Retries forever with full-jitter backoff: attempt n waits in [0, min(cap, base * 2^n)).
 * The counter goes back to 0 once a connection has stayed up for `stableAfterMs`, so an agent
 * whose edge flaps keeps slowing down while one that was healthy comes back fast.
 */
export class Reconnector {
  #attempt = 0;
  #connectedAt = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  #cancelled = false;
  readonly #o: ReconnectorOptions;

  constructor(options: ReconnectorOptions) {
    this.#o = options;
  }

  /** The number of the next attempt (0-based). */
  get attempt(): number {
    return this.#attempt;
  }

  /** Records that a connection is up. */
  connected(): void {
    this.#connectedAt = this.#now();
    this.#cancelled = false;
  }

  /** The connection dropped: schedules a reconnect, right away when `immediately` (GOAWAY, Restart). */
  dropped(immediately = false): void {
    const stable = this.#now() - this.#connectedAt >= (this.#o.stableAfterMs ?? 10_000);
    this.#attempt = stable ? 0 : this.#attempt + 1;
    this.#cancelled = false;
    this.#schedule(immediately ? 0 : backoffDelay(this.#attempt, this.#o.backoff));
  }

  /** Stops any pending or future attempt. */
  cancel(): void {
    this.#cancelled = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#cancelled) return;
    this.#o.onSchedule?.(this.#attempt, delayMs);
    this.#timer = setTimeout(() => void this.#run(), delayMs);
  }

  async #run(): Promise<void> {
    this.#timer = undefined;
    if (this.#cancelled) return;
    try {
      await this.#o.attempt();
    } catch (err) {
      if (this.#cancelled) return;
      this.#o.onFailure?.(err, this.#attempt);
      this.#attempt += 1;
      this.#schedule(backoffDelay(this.#attempt, this.#o.backoff));
    }
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }
}
