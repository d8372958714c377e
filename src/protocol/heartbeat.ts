/**
 * Heartbeats (docs/protocol.md §4): one side opens a stream of type Heartbeat and writes 4
 * random bytes now and then; the other side echoes every 4 bytes it reads.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { StreamType } from './messages.ts';
import type { MuxSession } from './session.ts';
import type { MuxStream } from './stream.ts';

const BEAT_BYTES = 4;

export interface HeartbeatOptions {
  /** Milliseconds between beats; the first goes out at once. */
  intervalMs: number;
  /** Milliseconds past the interval an echo may take before the peer counts as dead. */
  toleranceMs: number;
  /** Called with the round-trip time in milliseconds of each matching echo. */
  onBeat?: (latencyMs: number) => void;
  /** Called once when no echo arrived within interval + tolerance; the heartbeat then stops. */
  onTimeout: () => void;
}

/** The accepting side of a heartbeat stream: writes back every 4 bytes it reads, and FIN on FIN. */
export function echoHeartbeats(stream: MuxStream): void {
  let partial: Buffer = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    const bytes = partial.length > 0 ? Buffer.concat([partial, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % BEAT_BYTES);
    if (whole > 0) stream.write(bytes.subarray(0, whole));
    partial = bytes.subarray(whole);
  });
  stream.on('end', () => stream.end());
}

/**
 * The opening side: opens a Heartbeat stream on `session` and beats every `intervalMs`. While a
 * beat is unanswered no new one is sent. Stops on stop(), on timeout and when the session
 * closes. Throws like openStream() when the session is closed or full.
 */
export function startHeartbeat(session: MuxSession, opts: HeartbeatOptions): { stop(): void } {
  const stream = session.openStream(StreamType.Heartbeat);
  let expected: Buffer | null = null;
  let sentAt = 0;
  let partial: Buffer = Buffer.alloc(0);
  let stopped = false;
  let deadline: NodeJS.Timeout | undefined;

  const beat = (): void => {
    if (stopped || expected !== null) return;
    expected = randomBytes(BEAT_BYTES);
    sentAt = performance.now();
    if (!stream.destroyed && stream.writable) stream.write(expected);
    deadline = setTimeout(late, opts.intervalMs + opts.toleranceMs);
    deadline.unref();
  };
  const late = (): void => {
    if (stopped) return;
    stop();
    opts.onTimeout();
  };
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(interval);
    clearTimeout(deadline);
    session.off('close', stop);
    stream.destroy();
  };

  stream.on('data', (chunk: Buffer) => {
    let bytes: Buffer = partial.length > 0 ? Buffer.concat([partial, chunk]) : chunk;
    while (bytes.length >= BEAT_BYTES) {
      const echo = bytes.subarray(0, BEAT_BYTES);
      bytes = bytes.subarray(BEAT_BYTES);
      // A mismatched echo is ignored, so a peer that answers nonsense still times out.
      if (expected === null || !echo.equals(expected) || stopped) continue;
      expected = null;
      clearTimeout(deadline);
      opts.onBeat?.(performance.now() - sentAt);
    }
    partial = bytes;
  });
  session.on('close', stop);
  const interval = setInterval(beat, opts.intervalMs);
  interval.unref();
  beat();
  return { stop };
}
