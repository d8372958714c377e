/**
 * The V8 flags every Portico process sets as it starts, each with the measurement that chose it.
 *
 * Set at run time rather than on the launcher's command line: V8 reads each of them whenever it
 * applies it (at each collection), and a runtime whose V8 no longer knows one prints a line
 * instead of refusing to start.
 */
import v8 from 'node:v8';

/** V8's major version in this runtime: 11 in Node 20, 12 in Node 22, 13 in Node 24. */
const V8_MAJOR = Number(process.versions.v8.split('.')[0]);

export const V8_FLAGS = [
  // The old generation grows by half of what a full collection left alive (and at least 8 MB,
  // V8's own floor) before the next one, instead of V8's dynamic factor of up to 4. Under steady
  // load a few objects of requests in flight at each scavenge are promoted and die old; with the
  // dynamic factor the edge's heap grew from 10 to 28 MB of that garbage before its second full
  // collection (RSS 74 → 92 MiB over 100 s of HTTPS load), with this one its full collections run
  // every 30 s at 16 MB (RSS steady at 80 MiB), each a few milliseconds of pause. A large heap
  // (many tunnels) is collected when it has grown by half.
  '--heap-growing-percent=50',
  // A collection frees the array buffers it found dead before it ends, rather than on a
  // background thread after it. V8 counts the array buffers allocated since the last full
  // collection and not yet freed against the old generation's limit, and a bulk transfer has
  // some 40 MB of them (socket reads, TLS records, joined chunks) between two scavenges: freed
  // late, they count, and an edge whose old generation holds more than 8 MB (any edge that has
  // carried traffic) ran a full collection every 17 MB transferred; and malloc, asked for new
  // buffers before the old ones were freed, grew its heap and gave it back each time, so the
  // next buffers faulted fresh pages in. After HTTP load, a 1 GiB TCP download through the edge
  // ran at 217–434 MiB/s (median 297, nine runs) against 166–225 (median 180, six), with 0–21
  // full collections against 60–62 and 16–115 thousand page faults against 166–230 thousand. A
  // scavenge during the transfer pauses 0.9 ms instead of 0.5 (median); under HTTP load pauses,
  // RSS and CPU per request stay as they were.
  // Node 20's V8 only: Node 24's runs no scavenge during such a transfer but some 50 full
  // collections with the flag or without, and with it the same download ran at 215–240 MiB/s
  // against 293–313 without (two runs each). Node 22's (V8 12.4) moved the same with it and
  // without, and so did Node 24's once scavenges ran by bytes moved (transfer-buffers.ts): after
  // the load, 512 MiB each way, two runs each, peaks and rates within the runs' spread (Node 22:
  // peaks 179–193 MiB, HTTP downloads 122–208 MiB/s either way); both keep V8's default.
  ...(V8_MAJOR < 12 ? ['--no-concurrent-array-buffer-sweeping'] : []),
  // No allocation-site pretenuring on Node 22's and 24's V8 (12, 13): it allocates an object
  // straight into the old generation when most of those its allocation site made before outlived
  // a scavenge. Under HTTPS load it did so for objects of the edge's requests, which then died
  // old. Node 24: a full collection every 0.4 s (42 in 15 s, each freeing 9 of 22 MB) and the
  // edge's CPU per request at 3.2–3.7 × the service's, against 2.2–2.8 × on Node 20; without it,
  // 1–2 full collections in the same load and 2.4–2.9 × (traffic stack, four 5 s rounds, two
  // stacks each way, alternating). Node 22: 2.9–3.5 × with it, 2.2–2.8 × without (three pairs of
  // stacks; a fourth read the same either way). RSS and bulk transfers the same. Node 20's V8
  // reads the same either way (two pairs) and keeps it.
  ...(V8_MAJOR >= 12 ? ['--no-allocation-site-pretenuring'] : []),
];

/** Sets V8_FLAGS in this process. */
export function setV8Flags(): void {
  for (const flag of V8_FLAGS) v8.setFlagsFromString(flag);
}

/**
 * A scavenge (V8 collecting its young generation only), when the launcher gave this process V8's
 * collector as `gc` (`--expose-gc`, bin/portico.cjs: the long-running commands); else null.
 */
export function scavenger(): (() => void) | null {
  const gc = (globalThis as { gc?: (options: { type: 'minor' }) => void }).gc;
  if (typeof gc !== 'function') return null;
  const minor = { type: 'minor' } as const;
  return () => gc(minor);
}
