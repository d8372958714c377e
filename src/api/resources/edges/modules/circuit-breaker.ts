import { Type } from 'typebox';
import { ErrorCode } from '../../../../errors/catalogue.ts';
import { invalid } from '../../../errors.ts';
import { circuitBreakerDefaults } from '../../../../config/modules/circuit-breaker.ts';
import { defineModule, Enabled, enabledOf, fieldPath, OptionalCount, type StoredModule } from './module-spec.ts';

/** Most buckets a rolling window may be split into. */
export const maxBuckets = 128;

interface CircuitBreakerModule extends StoredModule {
  /** Seconds the circuit stays open before the backend is tried again. Default 10. */
  tripped_duration: number;
  /** Seconds of history the error rate is computed over. Default 10. */
  rolling_window: number;
  /** Buckets the rolling window is split into, 1..128. Default 10. */
  num_buckets: number;
  /** Requests within the window before the circuit may trip. Default 20. */
  volume_threshold: number;
  /** Fraction (0..1) of 5xx responses that trips the circuit. Default 0.5. */
  error_threshold_percentage: number;
}

/** `circuit_breaker`: answer 503 while the upstream fails too often. */
export const circuitBreakerModule = defineModule({
  name: 'circuit_breaker',
  schema: Type.Object({
    enabled: Enabled,
    tripped_duration: OptionalCount,
    rolling_window: OptionalCount,
    num_buckets: OptionalCount,
    volume_threshold: OptionalCount,
    error_threshold_percentage: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  }),
  normalize: (body, _ctx, field): CircuitBreakerModule => {
    const d = circuitBreakerDefaults;
    const numBuckets = body.num_buckets || d.num_buckets;
    if (numBuckets > maxBuckets)
      throw invalid(ErrorCode.ERR_NGROK_215, fieldPath(field, 'num_buckets'), `must be at most ${maxBuckets}`);
    const threshold = body.error_threshold_percentage ?? d.error_threshold_percentage;
    if (threshold < 0 || threshold > 1)
      throw invalid(
        ErrorCode.ERR_NGROK_215,
        fieldPath(field, 'error_threshold_percentage'),
        'must be a fraction from 0 to 1 (0.5 means 50%)',
      );
    return {
      enabled: enabledOf(body),
      tripped_duration: body.tripped_duration || d.tripped_duration,
      rolling_window: body.rolling_window || d.rolling_window,
      num_buckets: numBuckets,
      volume_threshold: body.volume_threshold ?? d.volume_threshold,
      error_threshold_percentage: threshold,
    };
  },
});
