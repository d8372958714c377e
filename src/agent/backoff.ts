/**
 * Reconnect delays: "full jitter" exponential backoff. Attempt n waits a uniformly random time in
 * [0, min(cap, base * 2^n)), so a fleet of agents cut off by the same edge restart does not come
 * back in lockstep.
 */
export interface BackoffOptions {
  /** Milliseconds of the first window (attempt 0). Default 500. */
  baseMs?: number;
  /** Milliseconds no delay exceeds. Default 30 000. */
  capMs?: number;
  /** Source of randomness in [0, 1). Default Math.random. */
  random?: () => number;
}

export const defaultBackoff = { baseMs: 500, capMs: 30_000 } as const;

/** The upper bound of attempt `attempt`'s window, in milliseconds. */
export function backoffCeiling(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? defaultBackoff.baseMs;
  const cap = options.capMs ?? defaultBackoff.capMs;
  // 2^31 already exceeds any sane cap; clamping the exponent keeps the math finite.
  return Math.min(cap, base * 2 ** Math.min(Math.max(attempt, 0), 31));
}

/** Milliseconds to wait before reconnect attempt `attempt` (0-based). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const random = options.random ?? Math.random;
  return Math.floor(random() * backoffCeiling(attempt, options));
}
