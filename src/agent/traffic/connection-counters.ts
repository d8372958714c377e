/**
 * The connection counters ngrok's agent shows (`ttl opn rt1 rt5 p50 p90`): connections in
 * total and open now, the 1- and 5-minute moving averages of new connections per second, and
 * the median and 90th percentile of how long connections lasted.
 */
import { performance } from 'node:perf_hooks';

/** What the counters read at one moment. */
export interface ConnectionStats {
  /** Connections accepted since start. */
  total: number;
  /** Connections open now. */
  open: number;
  /** New connections per second, exponentially weighted over 1 minute. */
  rate1m: number;
  /** New connections per second, exponentially weighted over 5 minutes. */
  rate5m: number;
  /** New connections per second, exponentially weighted over 15 minutes. */
  rate15m: number;
  /** Median duration of the recent connections, in seconds (0 before any closed). */
  p50s: number;
  /** 90th percentile duration of the recent connections, in seconds. */
  p90s: number;
  /** 95th percentile duration, in seconds. */
  p95s: number;
  /** 99th percentile duration, in seconds. */
  p99s: number;
}

/** Seconds between rate updates, as in go-metrics' meters (which ngrok's agent uses). */
const tickSeconds = 5;
/** Durations kept for the percentiles: the most recent closed connections. */
const durationSamples = 1028;

export class ConnectionCounters {
  #total = 0;
  #open = 0;
  readonly #rate1 = new MovingRate(60);
  readonly #rate5 = new MovingRate(300);
  readonly #rate15 = new MovingRate(900);
  readonly #durations = new Float64Array(durationSamples);
  #durationCount = 0;
  readonly #now: () => number;

  /** `now` returns milliseconds (default performance.now), for tests. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Counts a new connection; call the returned function once when it closes. */
  opened(): () => void {
    const at = this.#now();
    this.#total += 1;
    this.#open += 1;
    this.#mark(at);
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.#open -= 1;
      this.#sample((this.#now() - at) / 1000);
    };
  }

  /** Counts something that already ended (an HTTP request), which lasted `durationMs`. */
  record(durationMs: number): void {
    this.#total += 1;
    this.#mark(this.#now());
    this.#sample(durationMs / 1000);
  }

  stats(): ConnectionStats {
    const at = this.#now();
    const sorted = this.#durations.slice(0, Math.min(this.#durationCount, durationSamples)).sort();
    return {
      total: this.#total,
      open: this.#open,
      rate1m: this.#rate1.read(at),
      rate5m: this.#rate5.read(at),
      rate15m: this.#rate15.read(at),
      p50s: percentile(sorted, 0.5),
      p90s: percentile(sorted, 0.9),
      p95s: percentile(sorted, 0.95),
      p99s: percentile(sorted, 0.99),
    };
  }

  #mark(at: number): void {
    this.#rate1.mark(at);
    this.#rate5.mark(at);
    this.#rate15.mark(at);
  }

  #sample(seconds: number): void {
    this.#durations[this.#durationCount % durationSamples] = seconds;
    this.#durationCount += 1;
  }
}

/** Nearest-rank percentile of an ascending array; 0 when empty. */
function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * An exponentially weighted moving average of events per second, updated every tickSeconds
 * and lazily (on mark and read), so it needs no timer.
 */
class MovingRate {
  readonly #alpha: number;
  #rate = 0;
  #uncounted = 0;
  #initialized = false;
  #lastTick: number | undefined;

  /** `windowSeconds`: 60 for the 1-minute rate, 300 for the 5-minute one. */
  constructor(windowSeconds: number) {
    this.#alpha = 1 - Math.exp(-tickSeconds / windowSeconds);
  }

  mark(at: number): void {
    this.#tick(at);
    this.#uncounted += 1;
  }

  read(at: number): number {
    this.#tick(at);
    return this.#rate;
  }

  #tick(at: number): void {
    this.#lastTick ??= at;
    const ticks = Math.floor((at - this.#lastTick) / (tickSeconds * 1000));
    for (let i = 0; i < Math.min(ticks, 1000); i++) {
      const instant = this.#uncounted / tickSeconds;
      this.#uncounted = 0;
      this.#rate = this.#initialized ? this.#rate + this.#alpha * (instant - this.#rate) : instant;
      this.#initialized = true;
    }
    if (ticks >= 1000) this.#rate = 0;
    this.#lastTick += ticks * tickSeconds * 1000;
  }
}
