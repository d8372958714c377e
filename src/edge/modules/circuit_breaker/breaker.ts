import type { CircuitBreakerPlan } from '../../../config/modules/plans.ts';

/** Requests and 5xx responses counted in one slice of the rolling window. */
interface Bucket {
  /** Which slice of time (now / bucket length) the counts belong to. */
  slice: number;
  total: number;
  failures: number;
}

/** Told when the circuit opens (again, after a failed probe) and when it closes. */
export interface BreakerTransitions {
  opened(): void;
  closed(): void;
}

const unwatched: BreakerTransitions = { opened() {}, closed() {} };

/** What the breaker says about one request: let it through, let it through as the probe, or refuse. */
export type Admission = 'pass' | 'probe' | 'refuse';

/**
 * A Hystrix circuit breaker. Closed, it counts outcomes in a rolling window of `numBuckets`
 * buckets; once the window holds `volumeThreshold` requests and the share of failures exceeds
 * `errorThreshold`, it opens and refuses everything for `trippedDurationMs`. Then it is half
 * open: one probe goes through, and its outcome closes the circuit (with an empty window) or
 * opens it again for another tripped duration.
 */
export class CircuitBreaker {
  private readonly buckets: Bucket[];
  private readonly bucketMs: number;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly plan: CircuitBreakerPlan,
    private readonly now: () => number = Date.now,
    private readonly transitions: BreakerTransitions = unwatched,
  ) {
    this.bucketMs = Math.max(1, plan.rollingWindowMs / plan.numBuckets);
    this.buckets = Array.from({ length: plan.numBuckets }, () => ({ slice: -1, total: 0, failures: 0 }));
  }

  /** Whether the circuit is open and its tripped duration has not passed yet. */
  get tripped(): boolean {
    return this.openedAt !== undefined && this.now() - this.openedAt < this.plan.trippedDurationMs;
  }

  /** Decides on one request; a `probe` must be followed by record(…, true). */
  admit(): Admission {
    if (this.openedAt === undefined) return 'pass';
    if (this.tripped || this.probing) return 'refuse';
    this.probing = true;
    return 'probe';
  }

  /** Counts the outcome of a request admit() let through. */
  record(failed: boolean, probe: boolean): void {
    if (probe) return this.settleProbe(failed);
    // A request let in before the circuit opened may finish while it is open: it no longer counts.
    if (this.openedAt !== undefined) return;
    const bucket = this.current();
    bucket.total++;
    if (failed) bucket.failures++;
    const { total, failures } = this.window();
    if (total >= this.plan.volumeThreshold && failures / total > this.plan.errorThreshold) this.open();
  }

  private settleProbe(failed: boolean): void {
    this.probing = false;
    if (failed) return this.open();
    this.openedAt = undefined;
    for (const bucket of this.buckets) bucket.slice = -1;
    this.transitions.closed();
  }

  private open(): void {
    this.openedAt = this.now();
    this.transitions.opened();
  }

  private current(): Bucket {
    const slice = Math.floor(this.now() / this.bucketMs);
    const bucket = this.buckets[slice % this.buckets.length]!;
    if (bucket.slice !== slice) Object.assign(bucket, { slice, total: 0, failures: 0 });
    return bucket;
  }

  private window(): { total: number; failures: number } {
    const oldest = Math.floor(this.now() / this.bucketMs) - this.buckets.length;
    let total = 0;
    let failures = 0;
    for (const bucket of this.buckets) {
      if (bucket.slice <= oldest) continue;
      total += bucket.total;
      failures += bucket.failures;
    }
    return { total, failures };
  }
}
