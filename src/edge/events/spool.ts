/**
 * Events still queued when the edge stops gracefully are written to one file in the data
 * directory and queued again when it starts (then the file is removed), so a restart loses
 * nothing that was accepted. A crash loses what was in memory.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { EventJson } from './envelope.ts';

export interface SpooledDestination {
  destination_id: string;
  events: EventJson[];
}

/** Writes `queued` to `path` (0600); removes the file when there is nothing to keep. */
export async function writeSpool(path: string, queued: readonly SpooledDestination[]): Promise<void> {
  const kept = queued.filter((q) => q.events.length);
  if (!kept.length) return void (await rm(path, { force: true }));
  // The events' text is written as it is, inside JSON written around it.
  const destinations = kept.map(
    (q) => `{"destination_id":${JSON.stringify(q.destination_id)},"events":[${q.events.join(',')}]}`,
  );
  await writeFile(path, `{"version":1,"destinations":[${destinations.join(',')}]}`, { mode: 0o600 });
}

/** Reads and removes the spool at `path`; nothing when there is none or it cannot be read. */
export async function takeSpool(path: string): Promise<SpooledDestination[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  await rm(path, { force: true });
  try {
    const destinations = (JSON.parse(text) as { destinations?: unknown } | null)?.destinations;
    if (!Array.isArray(destinations)) return [];
    return destinations.filter(isSpooled).map((d) => ({
      destination_id: d.destination_id,
      events: d.events.map((e) => JSON.stringify(e)),
    }));
  } catch {
    return [];
  }
}

/** One destination's entry as the file holds it (its events parsed). */
function isSpooled(d: unknown): d is { destination_id: string; events: unknown[] } {
  const entry = d as { destination_id?: unknown; events?: unknown } | null;
  return typeof entry?.destination_id === 'string' && Array.isArray(entry.events);
}
