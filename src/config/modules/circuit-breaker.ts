import type { CircuitBreakerPlan } from './plans.ts';

/**
 * Defaults for absent fields (API.md). A 0 duration, window or bucket count also means the
 * default: the Go client omits zeros, and none of them can work as 0.
 */
export const circuitBreakerDefaults = {
  tripped_duration: 10,
  rolling_window: 10,
  num_buckets: 10,
  volume_threshold: 20,
  error_threshold_percentage: 0.5,
} as const;

/** A `circuit_breaker` module as stored (seconds and counts; the threshold a fraction). */
export interface CircuitBreakerSlot {
  enabled?: boolean;
  tripped_duration?: number;
  rolling_window?: number;
  num_buckets?: number;
  volume_threshold?: number;
  error_threshold_percentage?: number;
}

export function compileCircuitBreaker(slot: CircuitBreakerSlot): CircuitBreakerPlan {
  const d = circuitBreakerDefaults;
  return {
    name: 'circuit_breaker',
    trippedDurationMs: (slot.tripped_duration || d.tripped_duration) * 1000,
    rollingWindowMs: (slot.rolling_window || d.rolling_window) * 1000,
    numBuckets: slot.num_buckets || d.num_buckets,
    volumeThreshold: slot.volume_threshold ?? d.volume_threshold,
    errorThreshold: slot.error_threshold_percentage ?? d.error_threshold_percentage,
  };
}
