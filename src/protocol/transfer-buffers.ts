/**
 * Dead buffers of tunnel traffic, collected as bytes move rather than at V8's own pace.
 *
 * Each piece of a transfer is a Buffer of its own (a socket read, a TLS record, a body piece
 * Node's HTTP parser copied), dead once it has been written on. V8 frees a dead buffer's memory
 * only when it collects the small object that holds it, and starts a scavenge when its young
 * generation fills with objects, which moving bytes hardly does: a process that only moves
 * 16 KiB buffers lets some 60 MiB of dead ones pile up on Node 20, 130 MiB on Node 24, before a
 * collection frees them; the edge and the agent held 20–40 MiB of them during bulk transfers. So
 * every session, through which each byte of a tunnel passes, counts what it reads and writes,
 * and each COLLECT_EVERY_BYTES (at most once each COLLECT_AT_MOST_EVERY_MS) the process runs a
 * scavenge, once the I/O of the turn has run so that what it brought has been handed on. A scavenge of a young generation that holds little
 * alive takes 0.3–0.6 ms: some 0.2 s per GiB moved. The runtime gives the function
 * (src/cli/runtime-settings.ts); without one, nothing is counted.
 */

/** Bytes moved between two scavenges (docs/architecture.md, "Start-up and footprint"). */
export const COLLECT_EVERY_BYTES = 2 * 1024 * 1024;
/**
 * Milliseconds at least between two scavenges: a process moving more than 400 MiB/s (2 MiB each
 * 5 ms; the bench's tunnels move 150–460 MiB/s on its 2 cores) lets more bytes pass between two,
 * so that they never take more than a tenth of its time, however fast it moves bytes.
 */
export const COLLECT_AT_MOST_EVERY_MS = 5;

let scavenge: (() => void) | null = null;
let every = COLLECT_EVERY_BYTES;
let minInterval = COLLECT_AT_MOST_EVERY_MS;
let moved = 0;
let scheduled = false;
let lastRun = -Infinity;

const collect = (): void => {
  scheduled = false;
  lastRun = performance.now();
  scavenge?.();
};

/**
 * From now on `run` (a scavenge) runs once each `everyBytes` the sessions move, at most once each
 * `minIntervalMs`; null: never.
 */
export function collectTransferBuffers(
  run: (() => void) | null,
  everyBytes = COLLECT_EVERY_BYTES,
  minIntervalMs = COLLECT_AT_MOST_EVERY_MS,
): void {
  scavenge = run;
  every = everyBytes;
  minInterval = minIntervalMs;
  moved = 0;
  lastRun = -Infinity;
}

/** Session use: `bytes` were read from or written to a session's socket. */
export function transferred(bytes: number): void {
  if (scavenge === null) return;
  moved += bytes;
  if (moved < every || scheduled || performance.now() - lastRun < minInterval) return;
  moved = 0;
  scheduled = true;
  setImmediate(collect);
}
