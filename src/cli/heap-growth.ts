/**
 * Portico's processes let V8's old generation grow by half of what a full collection left alive
 * (and at least 8 MB, V8's own floor) before the next one, instead of V8's dynamic factor of up to
 * 4. Under steady load a few objects of requests in flight at each scavenge are promoted and
 * die old; with the dynamic factor the edge's heap grew from 10 to 28 MB of that garbage before
 * its second full collection (RSS 74 → 92 MiB over 100 s of HTTPS load), with this one its full
 * collections run every 30 s at 16 MB (RSS steady at 80 MiB), each a few milliseconds of pause.
 * A large heap (many tunnels) is collected when it has grown by half.
 *
 * Set at run time rather than on the launcher's command line: V8 reads it at each collection,
 * and a runtime whose V8 no longer knows the flag prints one line instead of refusing to start.
 */
import v8 from 'node:v8';

/** How far, in percent of the live heap after a full collection, the old generation grows before the next one. */
export const HEAP_GROWING_PERCENT = 50;

/** Sets V8's growing factor for the old generation of this process (see above). */
export function growOldGenerationByHalf(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
