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
 * and each COLLECT_EVERY_BYTES the process runs a scavenge, once the I/O of the turn has run so
 * that what it brought has been handed on. A scavenge of a young generation that holds little
 * alive takes 0.3–0.6 ms: some 0.2 s per GiB moved. The runtime gives the function
 * (src/cli/runtime-settings.ts); without one, nothing is counted.
 */

/** Bytes moved between two scavenges (docs/architecture.md, "Start-up and footprint"). */
export const COLLECT_EVERY_BYTES = 2 * 1024 * 1024;

let scavenge: (() => void) | null = null;
let every = COLLECT_EVERY_BYTES;
let moved = 0;
let scheduled = false;

const collect = (): void => {
  scheduled = false;
  scavenge?.();
};

/** From now on `run` (a scavenge) runs once each `everyBytes` the sessions move; null: never. */
export function collectTransferBuffers(run: (() => void) | null, everyBytes = COLLECT_EVERY_BYTES): void {
  scavenge = run;
  every = everyBytes;
  moved = 0;
}

/** Session use: `bytes` were read from or written to a session's socket. */
export function transferred(bytes: number): void {
  if (scavenge === null) return;
  moved += bytes;
  if (moved < every || scheduled) return;
  moved = 0;
  scheduled = true;
  setImmediate(collect);
}
