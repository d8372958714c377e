import type { Logger } from '../log/logger.ts';

/** What draining needs from a running edge. */
export interface Drainable {
  /** Stops every listener accepting; the connections they hold stay open. */
  stopAccepting(): void;
  /** Closes the connections that carry no request right now (idle keep-alive). */
  closeIdle(): void;
  /** Connections still open (public and API); draining waits for them. */
  inFlight(): number;
}

/** Milliseconds between looks at what is still in flight. */
const pollMs = 100;

/**
 * Graceful stop, first half: stop accepting, then let the requests and connections in flight
 * finish (closing keep-alive connections as they fall idle) for up to `timeoutMs`. Resolves
 * true when everything finished, false at the deadline. Agents stay connected meanwhile:
 * the SDKs drop their streams on GOAWAY, so it goes out only after this.
 */
export async function drainTraffic(edge: Drainable, timeoutMs: number, logger: Logger): Promise<boolean> {
  edge.stopAccepting();
  const deadline = Date.now() + timeoutMs;
  logger.info('draining', { in_flight: edge.inFlight(), timeout_ms: timeoutMs });
  for (;;) {
    edge.closeIdle();
    const left = edge.inFlight();
    if (left === 0) return true;
    if (Date.now() >= deadline) {
      logger.warn('drain timeout: closing what is still open', { in_flight: left });
      return false;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
