/**
 * Events still queued when the edge stops gracefully are written to one file in the data
 * directory and queued again when it starts (then the file is removed), so a restart loses
 * nothing that was accepted. A crash loses what was in memory. A file that cannot all be read
 * back is kept beside it as `<file>.unreadable`, and what could be read is queued.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
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

/** What `takeSpool` read. */
export interface TakenSpool {
  destinations: SpooledDestination[];
  /** Why the file could not all be read. */
  problem?: string;
  /** With a problem: where the file is now (`<path>.unreadable`, or `path` when it could not be opened or moved). */
  keptAt?: string;
}

/**
 * Reads the spool at `path` and removes it; nothing when there is none. A file that is not a
 * spool, or has entries that are not, is moved to `<path>.unreadable` instead, with the reason.
 */
export async function takeSpool(path: string): Promise<TakenSpool> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { destinations: [] };
    // Left where it is (a directory, no permission): the next start tries again.
    return { destinations: [], problem: `cannot be read (${(err as Error).message})`, keptAt: path };
  }
  const { destinations, problem } = parseSpool(text);
  if (!problem) {
    await rm(path, { force: true });
    return { destinations };
  }
  // Kept for inspection, where the next start does not read it again.
  const keptAt = `${path}.unreadable`;
  try {
    await rename(path, keptAt);
    return { destinations, problem, keptAt };
  } catch {
    await rm(path, { force: true });
    return { destinations, problem: `${problem}; could not be kept, removed` };
  }
}

function parseSpool(text: string): TakenSpool {
  let doc: { version?: unknown; destinations?: unknown } | null;
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch (err) {
    return { destinations: [], problem: `not JSON (${(err as Error).message})` };
  }
  if (doc?.version !== 1 || !Array.isArray(doc.destinations))
    return { destinations: [], problem: 'not a version 1 spool' };
  const entries: unknown[] = doc.destinations;
  const destinations = entries.filter(isSpooled).map((d) => ({
    destination_id: d.destination_id,
    events: d.events.map((e) => JSON.stringify(e)),
  }));
  const skipped = entries.length - destinations.length;
  return skipped ? { destinations, problem: `${skipped} of ${entries.length} entries unreadable` } : { destinations };
}

/** One destination's entry as the file holds it (its events parsed). */
function isSpooled(d: unknown): d is { destination_id: string; events: unknown[] } {
  const entry = d as { destination_id?: unknown; events?: unknown } | null;
  return typeof entry?.destination_id === 'string' && Array.isArray(entry.events);
}
